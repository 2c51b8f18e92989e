import Foundation
import Logging
import Orchestrator

extension OrchestratorConfiguration {
    /// The defaults of `demo`: the state folder `./day2-demo` (emptied at every start) and quiet logs (warnings),
    /// so the terminal shows the rollout. Every other default is `serve`'s.
    public static var demoDefaults: OrchestratorConfiguration {
        var configuration = OrchestratorConfiguration()
        configuration.dataDirectory = "./day2-demo"
        configuration.logLevel = .warning
        return configuration
    }

    /// This configuration made ready for the demo: the built-in Release Service (in `<data-dir>/release` unless
    /// `--release-dir` names a folder) with the demo's profiles enabled, and a generated admin password and token
    /// secret when none is given. Settings the demo must own are refused, naming the flag.
    public func preparedForDemo() throws(DemoError) -> OrchestratorConfiguration {
        func refuse(_ flag: String, _ why: String) -> DemoError {
            DemoError(.badFlag, "\(flag): \(why)")
        }
        guard database == "sqlite" else {
            throw refuse(
                "--database",
                "the demo keeps its inventory in day2.sqlite in its state folder (--data-dir); run `serve` for another database"
            )
        }
        guard releaseServiceURL.isEmpty else {
            throw refuse(
                "--release-service-url",
                "the demo publishes its OS profiles to the built-in Release Service; leave it out (or run `serve`)"
            )
        }
        guard osProfileRevision.isEmpty else {
            throw refuse("--os-profile-revision", "the demo sets it (\(DemoRelease.revision)); leave it out")
        }
        guard enabledProfiles.isEmpty else {
            throw refuse(
                "--enabled-profiles",
                "the demo sets it (\(DemoRelease.profiles.joined(separator: ","))); leave it out"
            )
        }
        guard grpcTLSCert.isEmpty else {
            throw refuse(
                "--grpc-tls-cert",
                "the demo's simulated nodes use plaintext gRPC on loopback; run `serve` for TLS"
            )
        }
        guard httpTLSCert.isEmpty else {
            throw refuse(
                "--http-tls-cert",
                "the demo's simulated nodes download over plain HTTP on loopback; run `serve` for HTTPS"
            )
        }
        guard !defaultProject.isEmpty else {
            throw refuse("--default-project", "the demo needs a project to put its fleet in; give a name")
        }
        guard !dataDirectory.isEmpty else {
            throw refuse("--data-dir", "the demo needs a state folder")
        }
        var prepared = self
        if prepared.releaseDirectory.isEmpty {
            prepared.releaseDirectory = (dataDirectory as NSString).appendingPathComponent("release")
        }
        // Waves follow each other within a second of the one before succeeding.
        prepared.rolloutIntervalSeconds = 1
        prepared.osProfileRevision = DemoRelease.revision
        prepared.enabledProfiles = DemoRelease.profiles
        if prepared.adminPassword.isEmpty {
            prepared.adminPassword = Self.randomText(length: 16)
        }
        if prepared.jwtSecret.isEmpty {
            // The simulated nodes' tokens are signed with it; the state folder is new, so nothing else uses one.
            prepared.jwtSecret = Self.randomText(length: 48)
        }
        return prepared
    }

    /// Random letters and digits without look-alikes (no 0/O, 1/l/I).
    static func randomText(length: Int) -> String {
        let alphabet = Array("abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789")
        var generator = SystemRandomNumberGenerator()
        return String((0..<length).map { _ in alphabet.randomElement(using: &generator)! })
    }
}
