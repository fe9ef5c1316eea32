//! What the timing examples share: the file named on their command line.

/// The path given as the first argument and the file's bytes; exits with a French message
/// (`usage`, or the reading error) when there is none or it cannot be read.
pub fn file_argument(usage: &str) -> (String, Vec<u8>) {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage : {usage}");
        std::process::exit(2);
    };
    match std::fs::read(&path) {
        Ok(bytes) => (path, bytes),
        Err(e) => {
            eprintln!("{path} : {e}");
            std::process::exit(1);
        }
    }
}
