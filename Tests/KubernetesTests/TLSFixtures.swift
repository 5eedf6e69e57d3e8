/// Throwaway certificates for the TLS tests only (generated with openssl for this purpose, valid until 2126):
/// a test CA, a server certificate for 127.0.0.1 signed by it, a client certificate (CN=inferscale) signed by it,
/// and an unrelated CA. The keys protect nothing.
enum TLSFixtures {
    static let caCertificate = """
        -----BEGIN CERTIFICATE-----
        MIIBojCCAUegAwIBAgIUQuVAq8w1m7AMB4pli5eQaNdui7cwCgYIKoZIzj0EAwIw
        HTEbMBkGA1UEAwwSaW5mZXJzY2FsZS10ZXN0LWNhMCAXDTI2MTEyMjIzMzQwMFoY
        DzIxMjYxMDI5MjMzNDAwWjAdMRswGQYDVQQDDBJpbmZlcnNjYWxlLXRlc3QtY2Ew
        WTATBgcqhkjOPQIBBggqhkjOPQMBBwNCAAQMx71tI1lebCJZ/TurLm15vzX/Q2L2
        Qi5Zwv8OmZN+3u0SrreZuGgX0SFw6TcJQB8b0sCyoHGx26+8Qi+VTs+jo2MwYTAd
        BgNVHQ4EFgQUTmgD2PUCI8u727NCADvBrzCKOMAwHwYDVR0jBBgwFoAUTmgD2PUC
        I8u727NCADvBrzCKOMAwDwYDVR0TAQH/BAUwAwEB/zAOBgNVHQ8BAf8EBAMCAQYw
        CgYIKoZIzj0EAwIDSQAwRgIhAJZS/brZF1Rh3TsHJJtO2KOjgo2OkMph8Mkf2Zwu
        YsxDAiEAiey3ooOZ17iStJPrlr753LfQLjErF7olFrI++lNWHL8=
        -----END CERTIFICATE-----
        """

    static let serverCertificate = """
        -----BEGIN CERTIFICATE-----
        MIIBxTCCAWugAwIBAgIUDTqKe/OBqZhqJrV4oORZQBOF+ukwCgYIKoZIzj0EAwIw
        HTEbMBkGA1UEAwwSaW5mZXJzY2FsZS10ZXN0LWNhMCAXDTI2MTEyMjIzMzQwMFoY
        DzIxMjYxMDI5MjMzNDAwWjAUMRIwEAYDVQQDDAkxMjcuMC4wLjEwWTATBgcqhkjO
        PQIBBggqhkjOPQMBBwNCAATKKWiGlnoSKglQKZ7ivJEidtRmsNVs73Q2nf58AToq
        wO9oTHVP32X4ZW5zTCBKWDeWBEFUGzfWIkR8U9lyv/xXo4GPMIGMMBoGA1UdEQQT
        MBGHBH8AAAGCCWxvY2FsaG9zdDAJBgNVHRMEAjAAMA4GA1UdDwEB/wQEAwIHgDAT
        BgNVHSUEDDAKBggrBgEFBQcDATAdBgNVHQ4EFgQUvAdQ5v8FYdKTDHVg0uhWBUOe
        IFgwHwYDVR0jBBgwFoAUTmgD2PUCI8u727NCADvBrzCKOMAwCgYIKoZIzj0EAwID
        SAAwRQIgdxPa7lix6+qJEVBNrUSfwcoFnm9AnTi03nksqtX6Lj4CIQCEjLz/97Os
        Sx134VHcq5viFNdfMAleGsgLIQH9cUBdsw==
        -----END CERTIFICATE-----
        """

    static let serverKey = """
        -----BEGIN PRIVATE KEY-----
        MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgJiv8kubXRo+id66I
        86DkMBWejzYtriGZqUDMtEB/6myhRANCAATKKWiGlnoSKglQKZ7ivJEidtRmsNVs
        73Q2nf58AToqwO9oTHVP32X4ZW5zTCBKWDeWBEFUGzfWIkR8U9lyv/xX
        -----END PRIVATE KEY-----
        """

    static let clientCertificate = """
        -----BEGIN CERTIFICATE-----
        MIIBvTCCAWOgAwIBAgIUDTqKe/OBqZhqJrV4oORZQBOF+uowCgYIKoZIzj0EAwIw
        HTEbMBkGA1UEAwwSaW5mZXJzY2FsZS10ZXN0LWNhMCAXDTI2MTEyMjIzMzQwMFoY
        DzIxMjYxMDI5MjMzNDAwWjAqMRMwEQYDVQQDDAppbmZlcnNjYWxlMRMwEQYDVQQK
        DAppbmZlcnNjYWxlMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAER2M3kRSsnJZ4
        dmeS00KBiEawMywGo907YB+7yAP3ZSezlD80bWOCU58EgKM410eFipuge9SeKQhE
        /2o9RvVlW6NyMHAwCQYDVR0TBAIwADAOBgNVHQ8BAf8EBAMCB4AwEwYDVR0lBAww
        CgYIKwYBBQUHAwIwHQYDVR0OBBYEFCWbj55HlYeB77ZWzDJ05ijx5B3WMB8GA1Ud
        IwQYMBaAFE5oA9j1AiPLu9uzQgA7wa8wijjAMAoGCCqGSM49BAMCA0gAMEUCIQD2
        tD4A4IBDOgIZOv3ygd4RsSy9C8q7DW21gE984SULeAIgK+xkd4xgZggsEqb7IbnH
        QH8lYI8w5PDC51TyY4bilo8=
        -----END CERTIFICATE-----
        """

    static let clientKey = """
        -----BEGIN PRIVATE KEY-----
        MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg5FUZtEKucNZpR1iD
        pIPcuJljdIXErGtN7dEgax5IHHShRANCAARHYzeRFKyclnh2Z5LTQoGIRrAzLAaj
        3TtgH7vIA/dlJ7OUPzRtY4JTnwSAozjXR4WKm6B71J4pCET/aj1G9WVb
        -----END PRIVATE KEY-----
        """

    static let otherCACertificate = """
        -----BEGIN CERTIFICATE-----
        MIIBiDCCAS2gAwIBAgIUa4O9yA2uKBQhQUPz7BX6j6PoLhcwCgYIKoZIzj0EAwIw
        GDEWMBQGA1UEAwwNc29tZS1vdGhlci1jYTAgFw0yNjExMjIyMzM0MDBaGA8yMTI2
        MTAyOTIzMzQwMFowGDEWMBQGA1UEAwwNc29tZS1vdGhlci1jYTBZMBMGByqGSM49
        AgEGCCqGSM49AwEHA0IABEzXUqMwjJQpIzAEJ+s0/otWzqMvdgaQOzOu0FgGm95A
        l4ORmi2UYXL81ewV4n1h8OXMJ+e77zcqHFS6BZKqzPGjUzBRMB0GA1UdDgQWBBTn
        zyD6xZ5W/OAJYjwYcS84kikahzAfBgNVHSMEGDAWgBTnzyD6xZ5W/OAJYjwYcS84
        kikahzAPBgNVHRMBAf8EBTADAQH/MAoGCCqGSM49BAMCA0kAMEYCIQC+LLMgFW/I
        FWyWrUWdMMUoKmkgCrVOKimuvk1LUXcm/QIhAJXSWXQ8c0jboRL/ycH+wTcROc04
        owqLQPUVQB/m0q2F
        -----END CERTIFICATE-----
        """
}
