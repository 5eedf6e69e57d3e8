import RemoteWrite
import Testing

@Suite struct ConfigurationTests {
    @Test(arguments: ["Content-Type", "content-encoding", "X-Prometheus-Remote-Write-Version", "USER-AGENT", "Authorization"])
    func customHeadersCannotOverrideReservedOnes(name: String) {
        var c = RemoteWriteConfiguration(url: "http://127.0.0.1:1/api/v1/write")
        c.headers = [name: "x", "X-Scope-OrgID": "tenant"]
        #expect {
            try c.validate()
        } throws: { error in
            let e = error as? RemoteWriteConfigurationError
            return e?.option == "headers" && e?.message.contains("reserved") == true && e?.message.contains(name) == true
        }
    }

    @Test func defaultsAreValidAndFollowPrometheus() throws {
        var c = RemoteWriteConfiguration(url: "https://metrics.example/api/v1/write")
        c.headers = ["X-Scope-OrgID": "tenant"]
        try c.validate()
        #expect(c.queue.capacity == 10_000)
        #expect(c.queue.maxSamplesPerSend == 2_000)
        #expect(c.queue.batchSendDeadline == .seconds(5))
        #expect(c.queue.minBackoff == .milliseconds(30))
        #expect(c.queue.maxBackoff == .seconds(5))
        #expect(c.remoteTimeout == .seconds(30))
    }

    @Test func unusableSettingsNameTheOption() {
        var c = RemoteWriteConfiguration(url: "ftp://x")
        for bad in ["http://", "https:///path", "localhost:9090"] {
            c.url = bad
            #expect { try c.validate() } throws: { ($0 as? RemoteWriteConfigurationError)?.option == "url" }
        }
        c.url = "ftp://x"
        #expect(throws: RemoteWriteConfigurationError.self) { try c.validate() }
        c.url = "http://127.0.0.1:9090/api/v1/write"
        c.queue.capacity = 10
        #expect { try c.validate() } throws: { ($0 as? RemoteWriteConfigurationError)?.option == "queue.capacity" }
        c.queue.capacity = 10_000
        c.tls.caFile = "/nonexistent/ca.pem"
        #expect { try c.validate() } throws: { ($0 as? RemoteWriteConfigurationError)?.option == "tls.caFile" }
        c.url = "https://127.0.0.1:9090/api/v1/write"
        #expect { _ = try RemoteWriter(configuration: c, logger: .init(label: "t")) } throws: {
            ($0 as? RemoteWriteConfigurationError)?.message.contains("/nonexistent/ca.pem") == true
        }
    }

    @Test func retryAfterAcceptsSecondsAndHTTPDates() {
        #expect(RetryAfter.parse("120", nowUnixSeconds: 0) == .seconds(120))
        #expect(RetryAfter.parse(" 3 ", nowUnixSeconds: 0) == .seconds(3))
        // 784111777 = Sun, 06 Nov 1994 08:49:37 GMT
        #expect(RetryAfter.parse("Sun, 06 Nov 1994 08:49:37 GMT", nowUnixSeconds: 784_111_767) == .seconds(10))
        #expect(RetryAfter.parse("Sun, 06 Nov 1994 08:49:37 GMT", nowUnixSeconds: 784_111_999) == .seconds(0))
        #expect(RetryAfter.parse("soon", nowUnixSeconds: 0) == nil)
        #expect(RetryAfter.parse("-1", nowUnixSeconds: 0) == nil)
    }
}
