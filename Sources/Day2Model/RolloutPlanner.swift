/// One host of a rollout's target set, with what planning needs to know of it.
public struct RolloutCandidate: Sendable, Hashable {
    /// The instance on a candidate host.
    public struct InstanceFacts: Sendable, Hashable {
        public var instanceId: String
        public var osId: String
        public var osType: OSType
        public var profileName: String
        public var imageId: String
        public var untrusted: Bool

        /// Creates the facts.
        public init(
            instanceId: String,
            osId: String,
            osType: OSType,
            profileName: String = "",
            imageId: String = "",
            untrusted: Bool = false
        ) {
            self.instanceId = instanceId
            self.osId = osId
            self.osType = osType
            self.profileName = profileName
            self.imageId = imageId
            self.untrusted = untrusted
        }
    }

    public var hostId: String
    public var hostName: String
    public var siteId: String?
    public var untrusted: Bool
    public var instance: InstanceFacts?
    /// The unfinished rollout that owns the host already, if any.
    public var otherRollout: String?

    /// Creates a candidate.
    public init(
        hostId: String,
        hostName: String = "",
        siteId: String? = nil,
        untrusted: Bool = false,
        instance: InstanceFacts? = nil,
        otherRollout: String? = nil
    ) {
        self.hostId = hostId
        self.hostName = hostName
        self.siteId = siteId
        self.untrusted = untrusted
        self.instance = instance
        self.otherRollout = otherRollout
    }
}

/// What a host would get from a policy, as the Maintenance Manager would answer its poll.
public enum RolloutOffer: Sendable, Hashable {
    /// An immutable image: the OS resource.
    case image(OSResource)
    /// A mutable node's package list (and apt sources).
    case packages(String)
    /// A mutable node upgrades what it has (LATEST).
    case upgrade
    /// Kernel command-line parameters only.
    case kernelCommand(String)

    /// One line for a person.
    public var summary: String {
        switch self {
        case .image(let os): "\(os.name) (\(os.imageId))"
        case .packages(let list):
            "packages: " + list.split(whereSeparator: \.isNewline).joined(separator: ", ")
        case .upgrade: "apt upgrade of the installed packages"
        case .kernelCommand(let command): "kernel parameters: \(command)"
        }
    }

    /// The OS resource, for an image.
    public var os: OSResource? { if case .image(let os) = self { os } else { nil } }
}

/// The policy of a rollout with what is needed to resolve it per host.
public struct PolicyResolution: Sendable {
    public var policy: OSUpdatePolicy
    /// The target OS of a TARGET policy.
    public var targetOS: OSResource?
    /// For LATEST: the newest immutable OS resource per profile name.
    public var newestByProfile: [String: OSResource]

    /// Creates the resolution.
    public init(policy: OSUpdatePolicy, targetOS: OSResource? = nil, newestByProfile: [String: OSResource] = [:]) {
        self.policy = policy
        self.targetOS = targetOS
        self.newestByProfile = newestByProfile
    }

    /// What the host gets, or why it is skipped.
    public func resolve(_ instance: RolloutCandidate.InstanceFacts) -> Result<RolloutOffer, RolloutHostReason> {
        let mutableFields = !policy.updatePackages.isEmpty || !policy.updateSources.isEmpty
        switch instance.osType {
        case .unspecified:
            return .failure(.osTypeNotServed)
        case .mutable:
            if policy.targetOsId != nil { return .failure(.osTypeNotServed) }
            if policy.updatePolicy == .latest { return .success(.upgrade) }
            if mutableFields { return .success(.packages(policy.updatePackages)) }
            return .success(.kernelCommand(policy.updateKernelCommand))
        case .immutable:
            if mutableFields { return .failure(.osTypeNotServed) }
            if !policy.updateKernelCommand.isEmpty { return .success(.kernelCommand(policy.updateKernelCommand)) }
            let target: OSResource
            switch policy.updatePolicy {
            case .target:
                guard let targetOS, targetOS.osType == .immutable else { return .failure(.osTypeNotServed) }
                target = targetOS
            case .latest:
                guard let newest = newestByProfile[instance.profileName] else { return .failure(.noTargetImage) }
                if let running = ImageVersion(instance.imageId), let offered = ImageVersion(newest.imageId),
                    !(running < offered)
                {
                    return .failure(.alreadyOnTarget)
                }
                target = newest
            case .unspecified:
                return .failure(.osTypeNotServed)
            }
            if target.resourceId == instance.osId { return .failure(.alreadyOnTarget) }
            return .success(.image(target))
        }
    }
}

/// One host of a planned rollout.
public struct PlannedHost: Sendable, Hashable {
    public var candidate: RolloutCandidate
    public var wave: Int
    public var position: Int
    /// `.pending`, or `.skipped` with a reason.
    public var state: RolloutHostState
    public var reason: RolloutHostReason?
    /// What it would get (nil when skipped for a reason that leaves nothing to offer).
    public var offer: RolloutOffer?

    /// Creates a planned host.
    public init(
        candidate: RolloutCandidate,
        wave: Int,
        position: Int,
        state: RolloutHostState,
        reason: RolloutHostReason?,
        offer: RolloutOffer?
    ) {
        self.candidate = candidate
        self.wave = wave
        self.position = position
        self.state = state
        self.reason = reason
        self.offer = offer
    }
}

/// Turns a target set into waves: which host goes into which wave, and which are skipped and why. Pure.
public enum RolloutPlanner {
    /// Plans `rollout` over `candidates`. Hosts that will update come first, spread over sites in turn (a wave never
    /// takes a second host of one site before every site has one in it, as far as the wave reaches), then the
    /// skipped ones; waves take consecutive slices of that order. Refused when the wave sizes do not fit the set.
    public static func plan(
        _ rollout: Rollout,
        candidates: [RolloutCandidate],
        policy: PolicyResolution
    ) throws(ValidationError) -> [PlannedHost] {
        // Indices into `candidates` and the per-host decisions, so that sorting moves integers, not hosts.
        var offers: [RolloutOffer?] = Array(repeating: nil, count: candidates.count)
        var reasons: [RolloutHostReason?] = Array(repeating: nil, count: candidates.count)
        var eligible: [Int] = []
        var skipped: [Int] = []
        eligible.reserveCapacity(candidates.count)
        // What a host gets depends only on its OS: resolved once per OS resource.
        var resolved: [String: Result<RolloutOffer, RolloutHostReason>] = [:]
        for index in candidates.indices {
            let reason: RolloutHostReason?
            if let instance = candidates[index].instance {
                if candidates[index].untrusted || instance.untrusted {
                    reason = .untrusted
                } else if candidates[index].otherRollout != nil {
                    reason = .inAnotherRollout
                } else {
                    let result: Result<RolloutOffer, RolloutHostReason>
                    if let known = resolved[instance.osId] {
                        result = known
                    } else {
                        result = policy.resolve(instance)
                        resolved[instance.osId] = result
                    }
                    switch result {
                    case .success(let offer):
                        offers[index] = offer
                        reason = nil
                    case .failure(let refusal):
                        reason = refusal
                    }
                }
            } else {
                reason = .noInstance
            }
            reasons[index] = reason
            if reason == nil { eligible.append(index) } else { skipped.append(index) }
        }
        let sizes = try Rollout.waveSizes(rollout.waves.map(\.size), total: candidates.count)
        let site: (Int) -> String? = { candidates[$0].siteId }
        let id: (Int) -> String = { candidates[$0].hostId }
        let ordered = interleaved(eligible, site: site, id: id) + interleaved(skipped, site: site, id: id)
        var result: [PlannedHost] = []
        result.reserveCapacity(ordered.count)
        var wave = 0
        var left = sizes.first ?? 0
        for (position, index) in ordered.enumerated() {
            while left == 0 && wave + 1 < sizes.count {
                wave += 1
                left = sizes[wave]
            }
            left -= 1
            result.append(
                PlannedHost(
                    candidate: candidates[index],
                    wave: wave,
                    position: position,
                    state: reasons[index] == nil ? .pending : .skipped,
                    reason: reasons[index],
                    offer: offers[index]
                )
            )
        }
        return result
    }

    /// `items` grouped by site (sites in ID order, hosts without a site last, hosts in ID order within a site),
    /// then taken one per site in turn.
    static func interleaved<T>(_ items: [T], site: (T) -> String?, id: (T) -> String) -> [T] {
        var groups: [String: [T]] = [:]
        for item in items { groups[site(item) ?? "\u{10FFFF}", default: []].append(item) }
        let keys = groups.keys.sorted()
        let sortedGroups = keys.map { key in groups[key]!.sorted { id($0) < id($1) } }
        var result: [T] = []
        result.reserveCapacity(items.count)
        var round = 0
        var remaining = items.count
        while remaining > 0 {
            for group in sortedGroups where round < group.count {
                result.append(group[round])
                remaining -= 1
            }
            round += 1
        }
        return result
    }

    /// The rollout's waves as planned: sizes and counts (skipped hosts already counted), nothing opened.
    public static func waves(of rollout: Rollout, plan: [PlannedHost]) -> [RolloutWave] {
        var waves = rollout.waves.map { RolloutWave(size: $0.size) }
        var counts = Array(repeating: RolloutCounts(), count: waves.count)
        for host in plan { counts[host.wave][host.state] += 1 }
        for index in waves.indices { waves[index].counts = counts[index] }
        return waves
    }
}
