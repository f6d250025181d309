/// A self-signed certificate for `localhost` and 127.0.0.1, valid until 2126, made for these tests only
/// (`openssl req -x509 -newkey ec …`): a provider with a private CA, which Loupe trusts through `ca_file`.
enum TestCertificate {
    static let certificatePEM = """
-----BEGIN CERTIFICATE-----
MIIBqzCCAVGgAwIBAgIUdOlvVqXWONfik6nDgbvHvb8iTpAwCgYIKoZIzj0EAwIw
FDESMBAGA1UEAwwJbG9jYWxob3N0MCAXDTI2MTEyNzE1NTIwOFoYDzIxMjYxMTAz
MTU1MjA4WjAUMRIwEAYDVQQDDAlsb2NhbGhvc3QwWTATBgcqhkjOPQIBBggqhkjO
PQMBBwNCAARLJXOy4QN/YrJcW6OFBR12o8ACNjDJFZ/zzepK34NEJ9MJDb2+25lb
U3KF1Bh5qcEFYD9mo6VKHWeoNZrwwlsyo38wfTAdBgNVHQ4EFgQUyfKcdhYnblsU
6DtUrCblKdpH3wswHwYDVR0jBBgwFoAUyfKcdhYnblsU6DtUrCblKdpH3wswGgYD
VR0RBBMwEYIJbG9jYWxob3N0hwR/AAABMA8GA1UdEwEB/wQFMAMBAf8wDgYDVR0P
AQH/BAQDAgKEMAoGCCqGSM49BAMCA0gAMEUCIDcxTtQNNLv9PM59c2FIHoCJwwQ+
MWlwUmVCDiWDMFaJAiEA0Y4FOOiJXEmAeFsfIRhW1LRuQsORbIV4lKjQ4VIlEhk=
-----END CERTIFICATE-----
"""

    static let privateKeyPEM = """
-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgKEfbQ9wKxo+3pd6v
NI2EqnL8YRdNnY+Y9+UaB+nDpR6hRANCAARLJXOy4QN/YrJcW6OFBR12o8ACNjDJ
FZ/zzepK34NEJ9MJDb2+25lbU3KF1Bh5qcEFYD9mo6VKHWeoNZrwwlsy
-----END PRIVATE KEY-----
"""
}
