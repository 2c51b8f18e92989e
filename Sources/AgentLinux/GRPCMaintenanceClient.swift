import AgentCore
import Day2Model
import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import SouthboundContract

/// The southbound poll over gRPC (`maintmgr.v1.MaintmgrService/PlatformUpdateStatus`): maps the agent's report
/// and desired state to and from the generated types, re-reads the bearer token for every call (symbolic links
/// refused), and bounds each call with a deadline.
public struct GRPCMaintenanceClient<Transport: ClientTransport>: MaintenanceClient {
    /// The generated client.
    public let client: Maintmgr_V1_MaintmgrService.Client<Transport>
    /// The token file (empty when the token comes from `tokenProvider`).
    public let tokenPath: String
    /// Where the token comes from instead of a file (a fleet of simulated agents shares one token in memory).
    let tokenProvider: (@Sendable () -> String)?

    /// A client over a running `GRPCClient`, reading the token from `tokenPath` for every call.
    public init(grpc: GRPCClient<Transport>, tokenPath: String) {
        client = Maintmgr_V1_MaintmgrService.Client(wrapping: grpc)
        self.tokenPath = tokenPath
        tokenProvider = nil
    }

    /// A client over a running `GRPCClient`, asking `token` for the bearer token of every call.
    public init(grpc: GRPCClient<Transport>, token: @escaping @Sendable () -> String) {
        client = Maintmgr_V1_MaintmgrService.Client(wrapping: grpc)
        tokenPath = ""
        tokenProvider = token
    }

    public func poll(_ report: StatusReport, timeout: Double) async throws -> DesiredState {
        var metadata = Metadata()
        metadata.addString("Bearer \(try readToken())", forKey: "authorization")
        var options = CallOptions.defaults
        options.timeout = .milliseconds(Int64(timeout * 1000))
        do {
            let response = try await client.platformUpdateStatus(
                WireMapping.request(report),
                metadata: metadata,
                options: options
            )
            return WireMapping.desired(response)
        } catch let error as RPCError {
            throw AgentError(.rpc, "PlatformUpdateStatus: \(error.code): \(error.message)", cause: error)
        } catch {
            throw AgentError(.rpc, "PlatformUpdateStatus: \(error)")
        }
    }

    /// The token, trimmed; empty when unreadable (the server then answers UNAUTHENTICATED, as upstream).
    func readToken() throws -> String {
        if let tokenProvider { return tokenProvider() }
        var info = stat()
        if lstat(tokenPath, &info) == 0, (info.st_mode & S_IFMT) == S_IFLNK {
            throw AgentError(.configuration, "jwt.accessTokenPath: \(tokenPath) is a symbolic link; refused")
        }
        guard let data = FileManager.default.contents(atPath: tokenPath) else { return "" }
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

/// Conversions between the agent's report and desired state and the generated `maintmgr.v1` types.
enum WireMapping {
    /// The wire request for a report.
    static func request(_ report: StatusReport) -> Maintmgr_V1_PlatformUpdateStatusRequest {
        var status = Maintmgr_V1_UpdateStatus()
        status.statusType = Maintmgr_V1_UpdateStatus.StatusType(rawValue: report.status.wireNumber) ?? .unspecified
        status.statusDetail = report.detail
        status.profileName = report.profileName
        status.profileVersion = report.profileVersion
        status.osImageID = report.osImageID
        status.osUpdateAvailable = report.osUpdateAvailable
        var request = Maintmgr_V1_PlatformUpdateStatusRequest()
        request.hostGuid = report.hostGUID
        request.updateStatus = status
        return request
    }

    /// The desired state of a wire response (absent sub-messages stay nil).
    static func desired(_ response: Maintmgr_V1_PlatformUpdateStatusResponse) -> DesiredState {
        let osType: OSType =
            switch response.osType {
            case .mutable: .mutable
            case .immutable: .immutable
            default: .unspecified
            }
        var state = DesiredState(osType: osType, updateSource: nil, singleWindow: nil, repeatedWindows: nil, image: nil)
        if response.hasUpdateSource {
            state.updateSource = UpdateSourceRecord(
                kernelCommand: response.updateSource.kernelCommand,
                osRepoURL: response.updateSource.osRepoURL,
                customRepos: response.updateSource.customRepos
            )
        }
        if response.hasUpdateSchedule {
            let schedule = response.updateSchedule
            if schedule.hasSingleSchedule {
                state.singleWindow = SingleWindow(
                    startSeconds: Int64(clamping: schedule.singleSchedule.startSeconds),
                    endSeconds: Int64(clamping: schedule.singleSchedule.endSeconds)
                )
            }
            state.repeatedWindows = schedule.repeatedSchedules.map {
                RepeatedWindow(
                    durationSeconds: Int64($0.durationSeconds),
                    cronMinutes: $0.cronMinutes,
                    cronHours: $0.cronHours,
                    cronDayMonth: $0.cronDayMonth,
                    cronMonth: $0.cronMonth,
                    cronDayWeek: $0.cronDayWeek
                )
            }
        }
        state.installedPackages = response.installedPackages
        if response.hasOsProfileUpdateSource {
            let image = response.osProfileUpdateSource
            state.image = ImageSource(
                osImageURL: image.osImageURL,
                osImageID: image.osImageID,
                osImageSHA: image.osImageSha,
                profileName: image.profileName,
                profileVersion: image.profileVersion
            )
        }
        return state
    }
}
