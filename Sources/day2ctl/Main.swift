import Day2CLI

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `day2ctl`: the command-line client of the Day2 REST API (the command tree lives in Day2CLI).
@main
enum Day2CTLMain {
    static func main() async {
        let code = await Day2CTL.run(Array(CommandLine.arguments.dropFirst()), in: .process())
        exit(code)
    }
}
