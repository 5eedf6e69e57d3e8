import Testing

/// `run`'s scrape settings out of range are refused before anything starts, with the accepted range.
@Suite struct RunScrapeSettingsTests {
    @Test(arguments: ["0", "0.05", "301", "nan"])
    func anIdleTimeoutOutOfRangeIsRefused(value: String) async throws {
        let result = try await CLIRunner.runDetached(["run", "--scrape-idle-timeout", value])
        #expect(result.status != 0)
        #expect(result.stderr.contains("--scrape-idle-timeout must be between 0.1 and 300 seconds"), "\(result.stderr)")
    }
}
