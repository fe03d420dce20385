//! Where things are: the repository root, the shared build directory, cargo itself.

use std::env;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The repository root (the workspace directory holding `xtask/`).
///
/// `cargo run` sets `CARGO_MANIFEST_DIR` for the program it runs, so this follows the clone even if
/// it was moved after xtask was built; the compile-time value is the fallback.
pub fn root() -> PathBuf {
    let manifest_dir = env::var_os("CARGO_MANIFEST_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")));
    manifest_dir.parent().map(Path::to_path_buf).unwrap_or(manifest_dir)
}

/// The target directory every build shares: `$CARGO_TARGET_DIR` if set, else
/// `$HOME/.cache/flick/target` (else `<repo>/target` when there is no `HOME`).
///
/// A relative `CARGO_TARGET_DIR` is taken from the directory `cargo xtask` was started in, as cargo
/// itself would, and made absolute, because the builds run from the repository root.
pub fn target_dir() -> PathBuf {
    let from_env = env::var_os("CARGO_TARGET_DIR").filter(|v| !v.is_empty());
    let home = env::var_os("HOME").filter(|v| !v.is_empty());
    let dir = choose_target_dir(from_env.map(PathBuf::from), home.map(PathBuf::from), &root());
    if dir.is_absolute() { dir } else { env::current_dir().map(|cwd| cwd.join(&dir)).unwrap_or(dir) }
}

/// The rule behind [`target_dir`], without the environment.
fn choose_target_dir(from_env: Option<PathBuf>, home: Option<PathBuf>, root: &Path) -> PathBuf {
    from_env
        .or_else(|| home.map(|home| home.join(".cache").join("flick").join("target")))
        .unwrap_or_else(|| root.join("target"))
}

/// A `cargo` command run from the repository root with the shared target directory.
///
/// It uses the cargo that runs xtask (`$CARGO`), so the toolchain stays the same.
pub fn cargo(target_dir: &Path) -> Command {
    let program = env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut command = Command::new(program);
    command.current_dir(root()).env("CARGO_TARGET_DIR", target_dir);
    command
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn target_dir_prefers_the_environment_then_home() {
        let root = Path::new("/repo");
        let home = Some(PathBuf::from("/home/me"));
        assert_eq!(choose_target_dir(Some("/tmp/t".into()), home.clone(), root), PathBuf::from("/tmp/t"));
        assert_eq!(choose_target_dir(None, home, root), PathBuf::from("/home/me/.cache/flick/target"));
        assert_eq!(choose_target_dir(None, None, root), PathBuf::from("/repo/target"));
    }

    #[test]
    fn the_root_holds_the_workspace_manifest() {
        assert!(root().join("Cargo.toml").is_file());
        assert!(root().join("xtask").is_dir());
    }
}
