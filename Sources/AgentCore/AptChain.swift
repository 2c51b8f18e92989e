/// The files and commands of the mutable chain (pure: the driver runs them).
public enum AptChain {
    /// Where APT sources live.
    public static let sourcesFolder = "/etc/apt/sources.list.d"
    /// Prefix of the source files the agent owns there; files without it are never touched.
    public static let ownedPrefix = "day2-agent-"
    /// The GRUB drop-in that appends the kernel parameters to the distribution's defaults.
    public static let grubDropIn = "/etc/default/grub.d/90-day2-agent.cfg"

    /// The environment of every apt command.
    public static let environment = [
        "DEBIAN_FRONTEND": "noninteractive", "NEEDRESTART_MODE": "l", "NEEDRESTART_SUSPEND": "1", "LC_ALL": "C",
    ]

    /// Options that keep local configuration files and wait for the dpkg lock.
    public static let options = [
        "-o", "Dpkg::Options::=--force-confdef", "-o", "Dpkg::Options::=--force-confold",
        "-o", "Dpkg::Lock::Timeout=300",
    ]

    /// The source files for `repos`: name → content. DEB822 stanzas go to `day2-agent-<n>.sources`, one-line
    /// entries together to `day2-agent-0.list`.
    public static func sourceFiles(_ repos: [String]) -> [String: String] {
        var files: [String: String] = [:]
        var oneLine: [String] = []
        for (index, repo) in repos.enumerated() {
            let lines = repo.split(whereSeparator: \.isNewline)
            if lines.count <= 1 {
                oneLine.append(repo.trimmingPrefix(" ").description)
            } else {
                files["\(ownedPrefix)\(index).sources"] = repo.hasSuffix("\n") ? repo : repo + "\n"
            }
        }
        if !oneLine.isEmpty { files["\(ownedPrefix)0.list"] = oneLine.joined(separator: "\n") + "\n" }
        return files
    }

    /// `apt-get update`.
    public static let refresh = Command("apt-get", options + ["update"], environment: environment)

    /// Upgrades the agent's own package.
    public static func selfUpdate(package: String) -> Command {
        var env = environment
        env["NEEDRESTART_MODE"] = "a"
        return Command("apt-get", options + ["install", "--only-upgrade", "-y", package], environment: env)
    }

    /// The drop-in's content: the parameters appended to whatever the distribution sets.
    public static func grubDropInContent(_ kernelCommand: String) -> String {
        "# Written by day2-agent: kernel parameters from the OS update policy.\n"
            + "GRUB_CMDLINE_LINUX_DEFAULT=\"${GRUB_CMDLINE_LINUX_DEFAULT} \(kernelCommand)\"\n"
    }

    /// Regenerates grub.cfg.
    public static let updateGrub = Command("update-grub")

    /// Downloads the extra packages (nothing is installed yet).
    public static func downloadPackages(_ packages: [String]) -> Command {
        Command("apt-get", options + ["install", "--download-only", "-y"] + packages, environment: environment)
    }

    /// Installs the extra packages.
    public static func installPackages(_ packages: [String]) -> Command {
        Command("apt-get", options + ["install", "-y"] + packages, environment: environment)
    }

    /// The full upgrade.
    public static let fullUpgrade = Command(
        "apt-get",
        options + ["-y", "--with-new-pkgs", "upgrade"],
        environment: environment
    )

    /// Lists the packages' dpkg states.
    public static func verify(_ packages: [String]) -> Command {
        Command("dpkg", ["-l"] + packages, environment: ["LC_ALL": "C", "COLUMNS": "200"])
    }

    /// The installed version of each package whose `dpkg -l` line starts with `ii`; missing ones are absent.
    public static func installedVersions(dpkgList output: String) -> [String: String] {
        var versions: [String: String] = [:]
        for line in output.split(whereSeparator: \.isNewline) {
            let columns = line.split(separator: " ", omittingEmptySubsequences: true)
            guard columns.count >= 3, columns[0] == "ii" else { continue }
            let name = columns[1].split(separator: ":").first.map(String.init) ?? String(columns[1])
            versions[name] = String(columns[2])
        }
        return versions
    }
}
