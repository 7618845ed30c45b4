fn main() {
    std::process::exit(agentc::run());
}
