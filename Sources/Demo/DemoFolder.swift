import Foundation

/// The demo's state folder: made fresh at every start, so a second run shows the same rollout again.
///
/// Only a folder the demo made (it holds the marker file) is emptied; any other folder must be empty or new, so a
/// mistaken `--data-dir` never deletes anything.
public enum DemoFolder {
    /// The file that marks a folder as the demo's own.
    public static let marker = ".day2-demo"

    /// Creates `path`, or empties it when an earlier demo made it; refuses another folder that is not empty.
    public static func prepare(_ path: String) throws(DemoError) {
        let files = FileManager.default
        var isDirectory: ObjCBool = false
        if files.fileExists(atPath: path, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else {
                throw DemoError(.folder, "--data-dir: \(path) is a file; give a folder for the demo's state")
            }
            let entries: [String]
            do {
                entries = try files.contentsOfDirectory(atPath: path)
            } catch {
                throw DemoError(.folder, "--data-dir: cannot read \(path)", cause: error)
            }
            if !entries.isEmpty {
                guard entries.contains(marker) else {
                    throw DemoError(
                        .folder,
                        "--data-dir: \(path) is not empty and was not made by the demo; give a new or empty folder"
                    )
                }
                // The marker goes last: an interrupted start leaves a folder the next start may still empty.
                for entry in entries.filter({ $0 != marker }) + [marker] {
                    do {
                        try files.removeItem(atPath: (path as NSString).appendingPathComponent(entry))
                    } catch {
                        throw DemoError(.folder, "--data-dir: cannot empty \(path) (\(entry))", cause: error)
                    }
                }
            }
        }
        do {
            try files.createDirectory(
                atPath: path,
                withIntermediateDirectories: true,
                attributes: [.posixPermissions: 0o700]
            )
            try Data("Made by day2-orchestrator demo; emptied at its next start.\n".utf8).write(
                to: URL(fileURLWithPath: (path as NSString).appendingPathComponent(marker))
            )
        } catch {
            throw DemoError(.folder, "--data-dir: cannot create \(path)", cause: error)
        }
    }
}
