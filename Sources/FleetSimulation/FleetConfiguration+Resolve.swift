extension FleetConfiguration {
    /// The configuration from `flags` (option name → text, as given on the command line), then `environment`
    /// (`DAY2_FLEETSIM_…`), then the defaults. The first problem is thrown, naming the flag or the variable.
    /// `checkCombinations: false` checks each value alone (what can be told from the command line by itself).
    public static func resolve(
        flags: [String: String],
        environment: [String: String],
        checkCombinations: Bool = true
    ) throws(FleetError) -> FleetConfiguration {
        var configuration = FleetConfiguration()
        if let password = environment[FleetOption.passwordVariable], !password.isEmpty {
            configuration.password = password
        }
        for option in FleetOption.all {
            let value: String
            let label: String
            if let flag = flags[option.name] {
                (value, label) = (flag, option.flag)
            } else if let variable = environment[option.environmentVariable] {
                (value, label) = (variable, option.environmentVariable)
            } else {
                continue
            }
            do {
                try option.apply(&configuration, value, label)
            } catch let error as FleetError {
                throw error
            } catch {
                throw .option(label, "\(error)")
            }
        }
        if checkCombinations { try configuration.check() }
        return configuration
    }

    /// The rules between options.
    func check() throws(FleetError) {
        if agentTokenFile.isEmpty && jwtSecret.isEmpty {
            throw FleetError(
                .option,
                "--agent-token-file or --jwt-secret-file: one is needed for the agents' bearer token "
                    + "(a token with the <projectUUID>_en-agent-rw role, or the orchestrator's secret to sign one)"
            )
        }
        if needsREST && password.isEmpty {
            let why =
                register
                ? "--register"
                : windowIn != nil ? "--window-in" : "signing agent tokens (the project's UUID is read there)"
            throw FleetError(
                .option,
                "--password-file (or \(FleetOption.passwordVariable)): the REST API is needed for \(why); give the "
                    + "password of --username"
            )
        }
    }
}
