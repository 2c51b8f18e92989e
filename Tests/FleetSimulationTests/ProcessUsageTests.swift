import ProcessResources
import Testing

@Suite("Process usage: CPU, memory, giving freed memory back")
struct ProcessUsageTests {
    @Test("CPU time and resident memory are read, freed memory goes back, the periodic trim stops when cancelled")
    func usage() async throws {
        let before = ProcessUsage.now()
        #expect(before.residentBytes > 0)
        #expect(before.peakResidentBytes >= before.residentBytes)
        // 64 MiB in small blocks (heap, not mmap: glibc keeps those after free) touched and freed: after returning
        // freed memory, the resident size is well below what it reached.
        var blocks: [[UInt8]] = (0..<4096).map { _ in [UInt8](repeating: 1, count: 16_384) }
        let filled = ProcessUsage.now()
        #expect(filled.residentBytes >= before.residentBytes + 48 * 1_048_576)
        blocks.removeAll()
        ProcessUsage.returnFreedMemory()
        let after = ProcessUsage.now()
        #expect(after.residentBytes < filled.residentBytes - 32 * 1_048_576)
        #expect(after.cpuSeconds >= before.cpuSeconds)
        #expect(after.residentMiB.current == Double(after.residentBytes) / 1_048_576)
        #expect(blocks.isEmpty)

        let trimmer = Task { await ProcessUsage.returnFreedMemory(every: .milliseconds(10)) }
        try await Task.sleep(for: .milliseconds(50))
        trimmer.cancel()
        await trimmer.value
    }
}
