import Day2Model
import Day2Testing
import Foundation
import Synchronization
import Testing

@testable import Inventory

@Suite("Host lookups: concurrent polls")
struct HostLookupTests {
    @Test("concurrent lookups each get their own host and instance", arguments: backends)
    func concurrentLookups(backend: StoreBackend) async throws {
        try await backend.withStore { store in
            let fleet = try await Fixtures.fleet(in: store, hosts: 40)
            let other = try await Fixtures.fleet(in: store, name: "other", hosts: 5)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for round in 0..<3 {
                    for (index, host) in fleet.hosts.enumerated() {
                        group.addTask {
                            let found = try #require(
                                try await store.hostAndInstance(tenant: fleet.tenant, uuid: host.uuid!)
                            )
                            #expect(found.host.resourceId == host.resourceId, "round \(round)")
                            #expect(found.instance?.resourceId == fleet.instances[index].resourceId)
                        }
                    }
                    // The same UUIDs exist in another project: never mixed up.
                    for host in other.hosts {
                        group.addTask {
                            let found = try await store.hostAndInstance(tenant: other.tenant, uuid: host.uuid!)
                            #expect(found?.host.resourceId == host.resourceId)
                        }
                    }
                    group.addTask {
                        let missing = try await store.hostAndInstance(tenant: fleet.tenant, uuid: Fixtures.uuid(999))
                        #expect(missing == nil)
                    }
                }
                try await group.waitForAll()
            }
        }
    }

    @Test("the coalescer answers every caller from shared batches and passes errors on")
    func coalescer() async throws {
        let coalescer = HostLookupCoalescer(maximumBatch: 16)
        let batches = BatchLog()
        let columns = SQLColumns(["h_uuid", "n"])
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<100 {
                group.addTask {
                    let uuid = "uuid-\(index % 50)"
                    let rows = try await coalescer.lookup(tenant: "t", uuid: uuid, uuidColumn: "h_uuid") {
                        tenant,
                        uuids in
                        batches.record(uuids.count)
                        try await Task.sleep(for: .milliseconds(5))
                        return uuids.map { SQLRow(columns: columns, values: [.text($0), .text(tenant)]) }
                    }
                    #expect(rows.count == 1 && rows[0].string("h_uuid") == uuid)
                }
            }
            try await group.waitForAll()
        }
        let sizes = batches.sizes
        #expect(sizes.allSatisfy { $0 <= 16 })
        #expect(sizes.count < 100, "no lookups were joined: \(sizes)")
        await #expect(throws: SQLDriverError.self) {
            _ = try await coalescer.lookup(tenant: "t", uuid: "x", uuidColumn: "h_uuid") { _, _ in
                throw SQLDriverError(kind: .connection, message: "down")
            }
        }
    }
}

/// Batch sizes seen by the fake statement.
final class BatchLog: Sendable {
    private let log = Mutex<[Int]>([])
    func record(_ size: Int) { log.withLock { $0.append(size) } }
    var sizes: [Int] { log.withLock { $0 } }
}
