import Day2Model
import Testing

@Suite("Resource IDs and validation")
struct ResourceValidationTests {
    @Test("IDs are <prefix>-<8 lower hex> and the prefix names the kind", arguments: ResourceKind.allCases)
    func identifiers(kind: ResourceKind) {
        let id = ResourceID.make(kind)
        #expect(ResourceID.isValid(id, kind: kind))
        #expect(ResourceKind.of(id: id) == kind)
        #expect(id.count == kind.prefix.count + 9)
        #expect(ResourceID.make(kind, number: 0x1a) == "\(kind.prefix)-0000001a")
        #expect(!ResourceID.isValid("\(kind.prefix)-0000001A", kind: kind))
        #expect(!ResourceID.isValid("\(kind.prefix)-1234567", kind: kind))
        #expect(!ResourceID.isValid("\(kind.prefix)_12345678", kind: kind))
    }

    @Test("unknown prefixes have no kind")
    func unknownPrefix() {
        #expect(ResourceKind.of(id: "tenant-12345678") == nil)
        #expect(ResourceKind.of(id: "nodash") == nil)
    }

    @Test("host UUIDs are canonicalised and checked")
    func hostUUIDs() throws {
        #expect(
            try HostUUID.canonical("0F1E2D3C-4B5A-6978-8796-A5B4C3D2E1F0", field: "uuid")
                == "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"
        )
        for bad in ["", "1234", "0f1e2d3c4b5a-6978-8796-a5b4c3d2e1f0", "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1fg"] {
            #expect(throws: ValidationError(field: "uuid", rule: "must be a UUID (8-4-4-4-12 hex digits)")) {
                try HostUUID.canonical(bad, field: "uuid")
            }
        }
    }

    @Test(
        "names follow ^[a-zA-Z-_0-9./: ]+$ up to 50 bytes",
        arguments: [
            ("edge-01 site/a:b.c_d", true), ("", true), ("bad!", false), (String(repeating: "a", count: 51), false),
        ]
    )
    func names(name: String, valid: Bool) {
        let region = Region(name: name)
        if valid {
            #expect(throws: Never.self) { try region.validate() }
        } else {
            #expect { try region.validate() } throws: { ($0 as? ValidationError)?.field == "name" }
        }
    }

    @Test("policy rules: unspecified, LATEST with fields, TARGET combinations")
    func policies() throws {
        func field(_ policy: OSUpdatePolicy) -> String? {
            do {
                try policy.validate()
                return nil
            } catch {
                return error.field
            }
        }
        #expect(field(OSUpdatePolicy(name: "p", updatePolicy: .unspecified)) == "updatePolicy")
        #expect(field(OSUpdatePolicy(name: "", updatePolicy: .latest)) == "name")
        #expect(field(OSUpdatePolicy(name: "p", updateKernelCommand: "quiet", updatePolicy: .latest)) == "updatePolicy")
        #expect(field(OSUpdatePolicy(name: "p", updatePolicy: .target)) == "updatePolicy")
        #expect(
            field(OSUpdatePolicy(name: "p", updatePackages: "curl", targetOsId: "os-12345678", updatePolicy: .target))
                == "targetOsId"
        )
        #expect(
            field(OSUpdatePolicy(name: "p", updateKernelCommand: "quiet hugepages=2", updatePolicy: .target)) == nil
        )
        #expect(
            field(OSUpdatePolicy(name: "p", updateKernelCommand: "a|b", updatePolicy: .target)) == "updateKernelCommand"
        )
        #expect(
            field(OSUpdatePolicy(name: "p", updateSources: ["Types: deb|x"], updatePolicy: .target))
                == "updateSources[0]"
        )
        #expect(field(OSUpdatePolicy(name: "p", targetOsId: "host-12345678", updatePolicy: .target)) == "targetOsId")
        #expect(field(OSUpdatePolicy(name: "p", updatePolicy: .latest)) == nil)
        #expect(field(OSUpdatePolicy(name: "p", targetOsId: "os-12345678", updatePolicy: .target)) == nil)
    }

    @Test("schedule targets: at most one, IDs of the right kind")
    func scheduleTargets() throws {
        #expect(try ScheduleTarget.from(hostId: nil, siteId: "", regionId: nil) == .none)
        #expect(try ScheduleTarget.from(hostId: "host-12345678", siteId: nil, regionId: nil) == .host("host-12345678"))
        #expect { try ScheduleTarget.from(hostId: "host-12345678", siteId: "site-12345678", regionId: nil) } throws: {
            ($0 as? ValidationError)?.rule.contains("only site, host or region") == true
        }
        #expect { try ScheduleTarget.from(hostId: nil, siteId: "host-12345678", regionId: nil) } throws: {
            ($0 as? ValidationError)?.field == "targetSiteId"
        }
    }

    @Test("single schedules: bounds, end after start, no start in the past")
    func singleSchedules() {
        func field(_ schedule: SingleSchedule, now: Int64? = nil) -> String? {
            do {
                try schedule.validate(now: now)
                return nil
            } catch {
                return error.field
            }
        }
        #expect(field(SingleSchedule(startSeconds: 100, endSeconds: 200)) == nil)
        #expect(field(SingleSchedule(startSeconds: 100)) == nil)
        #expect(field(SingleSchedule(startSeconds: 0)) == "startSeconds")
        #expect(field(SingleSchedule(startSeconds: 100, endSeconds: 100)) == "endSeconds")
        #expect(field(SingleSchedule(startSeconds: 5_000_000_000)) == "startSeconds")
        #expect(field(SingleSchedule(startSeconds: 100), now: 100) == "startSeconds")
        #expect(SingleSchedule(startSeconds: 100, endSeconds: 200).isActive(at: 200))
        #expect(!SingleSchedule(startSeconds: 100, endSeconds: 200).isActive(at: 201))
        #expect(SingleSchedule(startSeconds: 100).isActive(at: 9_999_999))
    }

    @Test("enum names parse and unknown ones list the allowed values")
    func enums() throws {
        #expect(try OSType.parse("OS_TYPE_IMMUTABLE", field: "osType") == .immutable)
        #expect(OSType.immutable.wireNumber == 2)
        #expect { try OSType.parse("IMMUTABLE", field: "osType") } throws: { error in
            let error = error as? ValidationError
            return error?.field == "osType" && error?.rule.contains("OS_TYPE_MUTABLE") == true
        }
    }
}
