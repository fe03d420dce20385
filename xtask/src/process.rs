//! Running external commands with their output passed through, and the error type of every task.

use std::ffi::OsStr;
use std::fmt::Write as _;
use std::process::{Command, Stdio};

/// The exit code for a command line `cargo xtask` does not understand.
pub const USAGE_EXIT_CODE: u8 = 2;

/// Why a task stopped: a one-line cause and the exit code `cargo xtask` ends with.
#[derive(Debug)]
pub struct Failure {
    /// What failed, and where.
    pub message: String,
    /// The process exit code (2 for bad usage, otherwise the failing step's code or 1).
    pub code: u8,
}

impl Failure {
    /// A failure with exit code 1.
    pub fn new(message: impl Into<String>) -> Self {
        Failure { message: message.into(), code: 1 }
    }

    /// A bad command line (exit code 2).
    pub fn usage(message: impl Into<String>) -> Self {
        Failure { message: message.into(), code: USAGE_EXIT_CODE }
    }
}

/// Prints a section heading on stderr, so it stands out between the tools' own output.
pub fn heading(text: &str) {
    eprintln!("\n==> {text}");
}

/// A shell-like rendering of a command, for headings and error messages.
pub fn describe(command: &Command) -> String {
    let mut out = String::new();
    for (key, value) in command.get_envs() {
        if let Some(value) = value {
            let _ = write!(out, "{}={} ", key.to_string_lossy(), value.to_string_lossy());
        }
    }
    out.push_str(&command.get_program().to_string_lossy());
    for arg in command.get_args() {
        out.push(' ');
        out.push_str(&quote(arg));
    }
    out
}

/// Quotes an argument for display when it holds characters a shell would split on.
fn quote(arg: &OsStr) -> String {
    let text = arg.to_string_lossy();
    if !text.is_empty() && !text.contains(|c: char| c.is_whitespace() || "'\"$`\\*?;&|<>(){}".contains(c)) {
        text.into_owned()
    } else {
        format!("'{}'", text.replace('\'', r"'\''"))
    }
}

/// Runs `command` with stdout and stderr passed through; fails unless it exits with status 0.
///
/// The failure carries the command's own exit code (or 1 when it was killed by a signal).
pub fn run(command: &mut Command) -> Result<(), Failure> {
    let shown = describe(command);
    let status = command.status().map_err(|e| Failure::new(format!("could not start `{shown}`: {e}")))?;
    if status.success() {
        return Ok(());
    }
    let code = status.code().and_then(|c| u8::try_from(c).ok()).filter(|&c| c != 0).unwrap_or(1);
    Err(Failure { message: format!("`{shown}` failed ({status})"), code })
}

/// Runs `command` quietly and returns its stdout, or `None` when it cannot be started or fails.
pub fn output(command: &mut Command) -> Option<String> {
    let out = command.stdin(Stdio::null()).stderr(Stdio::null()).output().ok()?;
    out.status.success().then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

/// Whether a program can be started at all (it is on `PATH`).
pub fn available(program: &str) -> bool {
    Command::new(program)
        .arg("--version")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn descriptions_quote_what_a_shell_would_split() {
        let mut command = Command::new("flick");
        command.args(["sim", "--abr", "bba,bola", "a b", "it's"]).env("X", "1");
        assert_eq!(describe(&command), r"X=1 flick sim --abr bba,bola 'a b' 'it'\''s'");
    }

    #[test]
    fn failing_commands_report_their_exit_code() {
        let err = run(Command::new("sh").args(["-c", "exit 3"])).unwrap_err();
        assert_eq!(err.code, 3);
        assert!(run(&mut Command::new("true")).is_ok());
    }
}
