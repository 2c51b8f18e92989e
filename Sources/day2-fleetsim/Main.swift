import ArgumentParser
import FleetSimulation

/// `day2-fleetsim`: many simulated edge nodes, each running the real agent core, against one orchestrator.
@main
enum Main {
    static func main() async { await FleetSimCommand.main() }
}
