/// An OS update policy: what the next maintenance window should install on the instances linked to it.
public struct OSUpdatePolicy: Sendable, Hashable, Codable {
    /// `osupdatepolicy-xxxxxxxx`.
    public var resourceId: String
    /// Display name (required).
    public var name: String
    /// Free text.
    public var description: String
    /// DEB822 apt source stanzas (mutable OS).
    public var updateSources: [String]
    /// Newline-separated packages to install (mutable OS).
    public var updatePackages: String
    /// Kernel command-line parameters to apply.
    public var updateKernelCommand: String
    /// The exact OS resource to install (TARGET, immutable OS).
    public var targetOsId: String?
    /// LATEST or TARGET.
    public var updatePolicy: UpdatePolicyKind
    /// Creation and change times.
    public var timestamps: Timestamps

    /// Creates a policy value.
    public init(
        resourceId: String = "",
        name: String = "",
        description: String = "",
        updateSources: [String] = [],
        updatePackages: String = "",
        updateKernelCommand: String = "",
        targetOsId: String? = nil,
        updatePolicy: UpdatePolicyKind = .unspecified,
        timestamps: Timestamps = Timestamps()
    ) {
        self.resourceId = resourceId
        self.name = name
        self.description = description
        self.updateSources = updateSources
        self.updatePackages = updatePackages
        self.updateKernelCommand = updateKernelCommand
        self.targetOsId = targetOsId
        self.updatePolicy = updatePolicy
        self.timestamps = timestamps
    }

    /// Checks the fields and the LATEST/TARGET combination rules of the API.
    public func validate() throws(ValidationError) {
        guard !name.isEmpty else { throw ValidationError(field: "name", rule: "is required") }
        try TextRule.name.check(name, field: "name")
        try TextRule.description.check(description, field: "description")
        guard updateSources.count <= 100 else {
            throw ValidationError(field: "updateSources", rule: "must have at most 100 items")
        }
        for (index, source) in updateSources.enumerated() {
            try TextRule.updateSource.check(source, field: "updateSources[\(index)]")
            guard !source.contains("|") else {
                throw ValidationError(field: "updateSources[\(index)]", rule: "must not contain \"|\"")
            }
        }
        try TextRule.updatePackages.check(updatePackages, field: "updatePackages")
        try TextRule.kernelCommand.check(updateKernelCommand, field: "updateKernelCommand")
        if let targetOsId { try ResourceID.validate(targetOsId, kind: .operatingSystem, field: "targetOsId") }
        switch updatePolicy {
        case .unspecified:
            throw ValidationError(field: "updatePolicy", rule: "OS Update Policy type cannot be unspecified")
        case .latest:
            let anySet =
                targetOsId != nil || !updatePackages.isEmpty || !updateSources.isEmpty || !updateKernelCommand.isEmpty
            if anySet {
                throw ValidationError(field: "updatePolicy", rule: "With Policy LATEST, no fields should be set")
            }
        case .target:
            let mutableSet = !updatePackages.isEmpty || !updateSources.isEmpty
            if targetOsId != nil && mutableSet {
                throw ValidationError(
                    field: "targetOsId",
                    rule: "Fields for mutable and immutable OSes are mutually exclusive"
                )
            }
            if targetOsId == nil && !mutableSet && updateKernelCommand.isEmpty {
                throw ValidationError(
                    field: "updatePolicy",
                    rule: "UPDATE_POLICY_TARGET needs targetOsId, updatePackages, updateSources or updateKernelCommand"
                )
            }
        }
    }
}
