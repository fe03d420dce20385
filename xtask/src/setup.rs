//! `cargo xtask setup`: install what the project needs on a Debian 12 machine, idempotently.
//!
//! Each piece is checked first and only what is missing is installed, so a second run does nothing
//! and takes well under a second.

use crate::process::{self, Failure};
use std::process::{Command, Stdio};
use std::time::Instant;

/// Debian packages the project needs: building, test fixtures and tools.
///
/// Extend this list when a feature needs more (GStreamer, Chromium, Xvfb, ...); see `STACK.md`.
pub const APT_PACKAGES: &[&str] = &[
    "ffmpeg",
    "pkg-config",
    "fonts-dejavu-core",
    "chromium",
    "chromium-driver",
    "binaryen",
    // The desktop player: GStreamer (build and runtime) and, for the window tests, Xvfb with
    // Mesa's lavapipe (Vulkan on the CPU) and ImageMagick.
    "libgstreamer1.0-dev",
    "libgstreamer-plugins-base1.0-dev",
    "gstreamer1.0-plugins-base",
    "gstreamer1.0-plugins-good",
    "gstreamer1.0-plugins-bad",
    "gstreamer1.0-plugins-ugly",
    "gstreamer1.0-libav",
    "gstreamer1.0-tools",
    "xvfb",
    "xauth",
    "mesa-vulkan-drivers",
    "libvulkan1",
    "libxkbcommon-x11-0",
    "libx11-xcb1",
    "libxcursor1",
    "libxi6",
    "libxrandr2",
    "libegl1",
    "libgl1-mesa-dri",
    "imagemagick",
];

/// Rust compilation targets besides the host (`wasm32-unknown-unknown` for the browser build).
pub const RUST_TARGETS: &[&str] = &["wasm32-unknown-unknown"];

/// rustup components `cargo xtask test` uses.
pub const RUST_COMPONENTS: &[&str] = &["rustfmt", "clippy"];

/// Installs whatever in [`APT_PACKAGES`], [`RUST_TARGETS`] and [`RUST_COMPONENTS`] is missing.
pub fn run() -> Result<(), Failure> {
    let started = Instant::now();
    process::heading("setup: checking Debian packages and the Rust toolchain");
    let mut installed = apt_packages()?;
    installed += rust_toolchain()?;
    installed += crate::web::setup()?;
    installed += crate::fuzz::setup()?;
    let seconds = started.elapsed().as_secs_f64();
    if installed == 0 {
        eprintln!("setup: everything is already installed ({seconds:.1} s)");
    } else {
        eprintln!("setup: installed {installed} missing item(s) in {seconds:.1} s");
    }
    Ok(())
}

/// Installs the missing Debian packages; returns how many it installed.
fn apt_packages() -> Result<usize, Failure> {
    if !process::available("dpkg-query") {
        eprintln!(
            "setup: warning: no dpkg-query here (not Debian?); install these yourself: {}",
            APT_PACKAGES.join(" ")
        );
        return Ok(0);
    }
    let missing: Vec<&str> = APT_PACKAGES.iter().copied().filter(|p| !apt_installed(p)).collect();
    if missing.is_empty() {
        eprintln!("setup: Debian packages present: {}", APT_PACKAGES.join(" "));
        return Ok(0);
    }
    eprintln!("setup: installing Debian packages: {}", missing.join(" "));
    let mut install = vec!["install", "-y", "--no-install-recommends"];
    install.extend(&missing);
    for mut command in [apt_get(&["update"])?, apt_get(&install)?] {
        eprintln!("setup: {}", process::describe(&command));
        process::run(&mut command)?;
    }
    Ok(missing.len())
}

/// Whether `dpkg-query` reports `package` as installed.
fn apt_installed(package: &str) -> bool {
    let mut query = Command::new("dpkg-query");
    query.args(["-W", "-f=${Status}", package]);
    process::output(&mut query).is_some_and(|status| status_is_installed(&status))
}

/// Whether a `dpkg-query -f='${Status}'` line means "installed" (e.g. `install ok installed`).
fn status_is_installed(status: &str) -> bool {
    status.split_whitespace().last() == Some("installed")
}

/// An `apt-get` command run non-interactively, through `sudo` unless we are root.
fn apt_get(args: &[&str]) -> Result<Command, Failure> {
    let mut command = if is_root() {
        Command::new("apt-get")
    } else if process::available("sudo") {
        // sudo resets the environment, so the variable goes through `env`.
        let mut sudo = Command::new("sudo");
        sudo.args(["env", "DEBIAN_FRONTEND=noninteractive", "apt-get"]);
        sudo
    } else {
        return Err(Failure::new(
            "Debian packages are missing and we are neither root nor have sudo to install them",
        ));
    };
    command.env("DEBIAN_FRONTEND", "noninteractive").args(args).stdin(Stdio::null());
    Ok(command)
}

/// Whether this process runs as root (user id 0).
fn is_root() -> bool {
    process::output(Command::new("id").arg("-u")).is_some_and(|uid| uid.trim() == "0")
}

/// Adds the missing rustup targets and components; returns how many it added.
fn rust_toolchain() -> Result<usize, Failure> {
    if !process::available("rustup") {
        eprintln!(
            "setup: warning: no rustup here; make sure the toolchain has the targets [{}] and \
             the components [{}]",
            RUST_TARGETS.join(", "),
            RUST_COMPONENTS.join(", ")
        );
        return Ok(0);
    }
    let targets = rustup_list(&["target", "list", "--installed"])?;
    let components = rustup_list(&["component", "list", "--installed"])?;
    let mut added = 0;
    for target in RUST_TARGETS.iter().filter(|t| !targets.iter().any(|line| line == *t)) {
        process::run(Command::new("rustup").args(["target", "add", target]))?;
        added += 1;
    }
    for component in RUST_COMPONENTS.iter().filter(|c| !has_component(&components, c)) {
        process::run(Command::new("rustup").args(["component", "add", component]))?;
        added += 1;
    }
    if added == 0 {
        eprintln!(
            "setup: Rust targets and components present: {} {}",
            RUST_TARGETS.join(" "),
            RUST_COMPONENTS.join(" ")
        );
    }
    Ok(added)
}

/// The lines `rustup <args>` prints.
fn rustup_list(args: &[&str]) -> Result<Vec<String>, Failure> {
    let out = process::output(Command::new("rustup").args(args))
        .ok_or_else(|| Failure::new(format!("`rustup {}` failed", args.join(" "))))?;
    Ok(out.lines().map(|line| line.trim().to_string()).collect())
}

/// Whether `rustup component list --installed` output names `component`
/// (listed either bare or with the host triple, as in `clippy-x86_64-unknown-linux-gnu`).
fn has_component(installed: &[String], component: &str) -> bool {
    installed.iter().any(|line| {
        line == component || line.strip_prefix(component).is_some_and(|rest| rest.starts_with('-'))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dpkg_status_lines() {
        assert!(status_is_installed("install ok installed"));
        assert!(!status_is_installed("deinstall ok config-files"));
        assert!(!status_is_installed("unknown ok not-installed"));
        assert!(!status_is_installed(""));
    }

    #[test]
    fn components_match_with_or_without_the_host_triple() {
        let installed: Vec<String> =
            ["cargo-x86_64-unknown-linux-gnu", "rustfmt-x86_64-unknown-linux-gnu", "clippy"]
                .iter()
                .map(|s| s.to_string())
                .collect();
        assert!(has_component(&installed, "rustfmt"));
        assert!(has_component(&installed, "clippy"));
        assert!(!has_component(&installed, "rust-src"));
    }
}
