//! Accepting connections, and aborting one with a TCP reset when a fault says so.

use crate::routes::{self, Server};
use hyper_util::rt::{TokioIo, TokioTimer};
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Notify, watch};
use tokio::task::JoinSet;

/// A handle on one connection, given to its requests so a fault can abort it.
#[derive(Debug, Default)]
pub(crate) struct ConnControl {
    reset: AtomicBool,
    kill: Notify,
}

impl ConnControl {
    /// Drop the connection at once, with a TCP reset (no response, no orderly close).
    pub(crate) fn reset(&self) {
        self.reset.store(true, Ordering::SeqCst);
        self.kill.notify_one();
    }
}

/// Accept connections on `listener` for `server` until `stop` turns true (or its sender goes),
/// then drop every connection still open.
pub(crate) async fn accept_loop(listener: TcpListener, server: Arc<Server>, mut stop: watch::Receiver<bool>) {
    let mut connections = JoinSet::new();
    loop {
        let stopped = async {
            let _ = stop.wait_for(|stopped| *stopped).await;
        };
        tokio::select! {
            () = stopped => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => {
                    connections.spawn(serve_connection(stream, server.clone()));
                }
                // Out of file descriptors and the like: wait a little rather than spin.
                Err(_) => tokio::time::sleep(Duration::from_millis(20)).await,
            },
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
    connections.shutdown().await;
}

/// Serve HTTP/1.1 on one connection until either side closes it or a fault resets it.
async fn serve_connection(stream: TcpStream, server: Arc<Server>) {
    let _ = stream.set_nodelay(true);
    let control = Arc::new(ConnControl::default());
    let io = TokioIo::new(ConnIo { inner: stream, control: control.clone() });
    let service = {
        let control = control.clone();
        hyper::service::service_fn(move |request| routes::handle(server.clone(), control.clone(), request))
    };
    let connection =
        hyper::server::conn::http1::Builder::new().timer(TokioTimer::new()).serve_connection(io, service);
    tokio::select! {
        _ = connection => {}
        _ = control.kill.notified() => {}
    }
}

/// The connection's socket; when dropped after [`ConnControl::reset`], it closes with a reset.
struct ConnIo {
    inner: TcpStream,
    control: Arc<ConnControl>,
}

impl Drop for ConnIo {
    fn drop(&mut self) {
        if self.control.reset.load(Ordering::SeqCst) {
            // A zero linger time makes the close send RST instead of FIN.
            let _ = socket2::SockRef::from(&self.inner).set_linger(Some(Duration::ZERO));
        }
    }
}

impl AsyncRead for ConnIo {
    fn poll_read(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_read(cx, buf)
    }
}

impl AsyncWrite for ConnIo {
    fn poll_write(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().inner).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_shutdown(cx)
    }
}
