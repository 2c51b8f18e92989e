import AgentCore
import Synchronization

/// The node's files in memory: the small-footprint twin of `SimulatedFileSystem` for fleets of simulated nodes
/// (one per node, nothing shared between nodes, no thread, no file descriptor).
///
/// What it keeps: file bytes and modes, folders, and symbolic links (as markers, for the agent's refusal rules).
/// What it does not: durability. `sync` and `syncDirectory` do nothing, and there is no power switch, so a crash
/// between two operations cannot be simulated here (the on-disk twin and its crash harness cover that).
public final class InMemoryFileSystem: FileSystem {
    struct File {
        var bytes: [UInt8]
        var mode: UInt16
    }

    struct State {
        var files: [String: File] = [:]
        var folders: [String] = []
        var symlinks: [String] = []
    }

    private let state: Mutex<State>

    /// An empty file system holding only `/`.
    public init() { state = Mutex(State()) }

    /// A file system holding `files` (node path → bytes, mode 0644), their folders created.
    public convenience init(files: [String: [UInt8]]) {
        self.init()
        state.withLock { state in
            for (path, bytes) in files {
                state.files[path] = File(bytes: bytes, mode: 0o644)
                Self.addFolder(Self.folder(of: path), to: &state)
            }
        }
    }

    /// The mode a file was written with (nil when it does not exist).
    public func mode(of path: String) -> UInt16? { state.withLock { $0.files[path]?.mode } }

    /// Makes `path` a symbolic link (tests: the agent must refuse to read or write through it).
    public func makeSymlink(_ path: String) {
        state.withLock { state in
            state.files[path] = nil
            if !state.symlinks.contains(path) { state.symlinks.append(path) }
            Self.addFolder(Self.folder(of: path), to: &state)
        }
    }

    /// Bytes held by the files (a measure of the node's footprint).
    public var storedBytes: Int { state.withLock { $0.files.values.reduce(0) { $0 + $1.bytes.count } } }

    public func read(_ path: String, refuseSymlink: Bool) async throws -> [UInt8]? {
        try state.withLock { state throws(AgentError) -> [UInt8]? in
            if state.symlinks.contains(path) {
                if refuseSymlink {
                    throw AgentError(.fileSystem, "\(path): is a symbolic link; refusing to follow it")
                }
                return nil
            }
            return state.files[path]?.bytes
        }
    }

    public func write(_ path: String, _ bytes: [UInt8], mode: UInt16) async throws {
        try state.withLock { state throws(AgentError) in
            let folder = Self.folder(of: path)
            guard Self.hasFolder(folder, in: state) else {
                throw AgentError(.fileSystem, "\(path): folder \(folder) does not exist")
            }
            state.files[path] = File(bytes: bytes, mode: mode)
        }
    }

    public func sync(_ path: String) async throws {}

    public func rename(_ from: String, to: String) async throws {
        try state.withLock { state throws(AgentError) in
            guard let file = state.files.removeValue(forKey: from) else {
                throw AgentError(.fileSystem, "rename \(from): no such file")
            }
            state.symlinks.removeAll { $0 == to }
            state.files[to] = file
        }
    }

    public func syncDirectory(_ path: String) async throws {}

    public func remove(_ path: String) async throws {
        state.withLock { state in
            state.files[path] = nil
            state.symlinks.removeAll { $0 == path }
        }
    }

    public func list(_ path: String) async throws -> [String] {
        state.withLock { state in
            let prefix = path == "/" ? "/" : path + "/"
            var names = Set<String>()
            func add(_ child: String) {
                guard child.hasPrefix(prefix), child.count > prefix.count else { return }
                names.insert(String(child.dropFirst(prefix.count).prefix { $0 != "/" }))
            }
            for child in state.files.keys { add(child) }
            for child in state.folders { add(child) }
            for child in state.symlinks { add(child) }
            return names.sorted()
        }
    }

    public func createDirectory(_ path: String) async throws {
        state.withLock { Self.addFolder(path, to: &$0) }
    }

    public func isSymlink(_ path: String) async throws -> Bool {
        state.withLock { $0.symlinks.contains(path) }
    }

    /// Records `path` and its parents as folders (only the deepest is stored; parents are implied).
    private static func addFolder(_ path: String, to state: inout State) {
        guard path != "/", !hasFolder(path, in: state) else { return }
        state.folders.removeAll { path.hasPrefix($0 + "/") }
        state.folders.append(path)
    }

    /// Whether `path` is `/`, a stored folder, or a parent of one.
    private static func hasFolder(_ path: String, in state: State) -> Bool {
        path == "/" || state.folders.contains { $0 == path || $0.hasPrefix(path + "/") }
    }
}
