/// A test-only certificate authority and a server certificate it signed for 127.0.0.1 / localhost
/// (EC P-256, valid until 2126), for the TLS tests. The keys protect nothing; never use them elsewhere.
/// Made with `openssl ecparam`/`req`/`x509` (see docs/remote-write.md).
public enum TestCertificates {
    /// The CA certificate (PEM) to trust.
    public static let caPEM = """
-----BEGIN CERTIFICATE-----
MIIBkDCCATegAwIBAgIUWjSAQN0lVfsKlako7YepVfxSHBcwCgYIKoZIzj0EAwIw
HTEbMBkGA1UEAwwSaW5mZXJzY2FsZSB0ZXN0IENBMCAXDTI2MTEyMjIyNDQzOFoY
DzIxMjYxMDI5MjI0NDM4WjAdMRswGQYDVQQDDBJpbmZlcnNjYWxlIHRlc3QgQ0Ew
WTATBgcqhkjOPQIBBggqhkjOPQMBBwNCAAS+xKKW2Yu0sOlLVyntQjN97SUHdlEr
wqVUtHrERtB3n9cze0KDHRy88eePRmvUdyuci7epyn4rhR4t8OsWSvkYo1MwUTAd
BgNVHQ4EFgQUHVulAw4kRDfHlty3rnh/Vz2z+FUwHwYDVR0jBBgwFoAUHVulAw4k
RDfHlty3rnh/Vz2z+FUwDwYDVR0TAQH/BAUwAwEB/zAKBggqhkjOPQQDAgNHADBE
AiB3dSMIjdmY2PmwEBGhLreWKEz/EXHpDOOyrAFV1GNBNAIgCkKZi2KtL2+1OeRd
ZNSdbCEBDQDHNzmVCdAmbDJ2ENo=
-----END CERTIFICATE-----
"""

    /// The server certificate (PEM), subjectAltName IP:127.0.0.1, DNS:localhost.
    public static let serverCertificatePEM = """
-----BEGIN CERTIFICATE-----
MIIBwTCCAWigAwIBAgIUQjS3mhbciU7fHwf8hBPyBwfBkicwCgYIKoZIzj0EAwIw
HTEbMBkGA1UEAwwSaW5mZXJzY2FsZSB0ZXN0IENBMCAXDTI2MTEyMjIyNDQzOFoY
DzIxMjYxMDI5MjI0NDM4WjAUMRIwEAYDVQQDDAkxMjcuMC4wLjEwWTATBgcqhkjO
PQIBBggqhkjOPQMBBwNCAARRkZO87kIpsban0dN6l9Ls7K+NRFyUM6zYKfujt83L
NVdHaOseSF9oj4nuOXxFwU+5rKSwNSwEEnPhGk08Jepwo4GMMIGJMBoGA1UdEQQT
MBGHBH8AAAGCCWxvY2FsaG9zdDAJBgNVHRMEAjAAMAsGA1UdDwQEAwIHgDATBgNV
HSUEDDAKBggrBgEFBQcDATAdBgNVHQ4EFgQUHm7C+6qL6LYZtJMx+8wEo5IgZj0w
HwYDVR0jBBgwFoAUHVulAw4kRDfHlty3rnh/Vz2z+FUwCgYIKoZIzj0EAwIDRwAw
RAIgcvQAw0TF3oS0sjG+NivLutzXVE1z/tiS8aJKrzjiQuECICIwuJYRdCjS6IoE
H6wJ196LBWJFbkRBO2kz6gD5FBnk
-----END CERTIFICATE-----
"""

    /// The server private key (PKCS#8 PEM).
    public static let serverKeyPEM = """
-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgHhgGauALwXnkkTFa
FlZ7oNmLIKhAnAjPDe4x2UaL+pKhRANCAARRkZO87kIpsban0dN6l9Ls7K+NRFyU
M6zYKfujt83LNVdHaOseSF9oj4nuOXxFwU+5rKSwNSwEEnPhGk08Jepw
-----END PRIVATE KEY-----
"""
}
