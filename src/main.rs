fn main() -> std::process::ExitCode {
    sverka::cli::run()
}
