import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// This process's CPU time and memory (the simulator's own cost per simulated node, the benchmarks' figures), and
/// giving freed memory back to the system.
public struct ProcessUsage: Sendable, Codable, Equatable {
    /// User + system CPU seconds so far.
    public var cpuSeconds: Double
    /// Resident memory now, in bytes.
    public var residentBytes: Int
    /// The kernel's high-water mark of resident memory, in bytes.
    public var peakResidentBytes: Int

    /// Gives memory that was freed back to the system (glibc keeps it otherwise), so that the resident size shows
    /// what is in use: a burst of concurrent passes (a fleet downloading at once) would otherwise stay in RSS.
    public static func returnFreedMemory() {
        #if canImport(Glibc)
        // glibc's malloc_trim(3) (not exported by the Glibc module): looked up once.
        if let trim = mallocTrim { _ = trim(0) }
        #endif
    }

    #if canImport(Glibc)
    private static let mallocTrim: (@convention(c) (Int) -> Int32)? = {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "malloc_trim") else { return nil }
        return unsafeBitCast(symbol, to: (@convention(c) (Int) -> Int32).self)
    }()
    #endif

    /// The usage now.
    public static func now() -> ProcessUsage {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        let cpu =
            Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6 + Double(usage.ru_stime.tv_sec)
            + Double(usage.ru_stime.tv_usec) / 1e6
        var resident = 0
        var peak = 0
        if let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) {
            for line in status.split(separator: "\n") {
                let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
                guard fields.count >= 2, let kib = Int(fields[1]) else { continue }
                if fields[0] == "VmRSS:" { resident = kib * 1024 }
                if fields[0] == "VmHWM:" { peak = kib * 1024 }
            }
        }
        return ProcessUsage(cpuSeconds: cpu, residentBytes: resident, peakResidentBytes: peak)
    }
}

extension ProcessUsage {
    /// Resident memory now and at its peak, in MiB.
    public var residentMiB: (current: Double, peak: Double) {
        (Double(residentBytes) / 1_048_576, Double(peakResidentBytes) / 1_048_576)
    }

    /// Gives freed memory back every `interval` until cancelled: a burst (a region-wide window, thousands of polls
    /// at once) would otherwise keep its peak in the resident size for the life of the process.
    public static func returnFreedMemory(every interval: Duration) async {
        while !Task.isCancelled {
            do {
                try await Task.sleep(for: interval)
            } catch {
                return
            }
            returnFreedMemory()
        }
    }
}
