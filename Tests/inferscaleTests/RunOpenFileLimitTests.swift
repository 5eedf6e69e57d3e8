import Foundation
import Testing

/// `run` raises its soft open-file limit to the hard one before anything else: started under a soft limit of 256
/// (as a container under containerd 2 starts at 1,024), it says so, and it does that before it fails on a
/// kubeconfig that does not exist.
@Suite struct RunOpenFileLimitTests {
    @Test func aLowSoftLimitIsRaisedToTheHardLimit() async throws {
        let hard = try #require(Self.hardLimit())
        try #require(hard > 256, "the hard open-file limit here (\(hard)) leaves nothing to raise")
        let binary = try CLIRunner.binary.path
        let result = try await CLIRunner.runDetached(
            ["-c", "ulimit -Sn 256 && exec \"$0\" run --kubeconfig /nonexistent/kubeconfig", binary],
            executable: URL(fileURLWithPath: "/bin/sh"))
        let output = result.stdout + result.stderr
        #expect(result.status != 0)
        #expect(output.contains("raised the open-file limit from 256 to \(hard)"), "\(output)")
    }

    static func hardLimit() -> UInt64? {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return nil }
        return UInt64(limit.rlim_max)
    }
}
