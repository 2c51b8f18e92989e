import AgentLinux
@main struct Main { static func main() {} }
