"""Third-party gRPC-Web peers for interop tests (servers and clients we did not write)."""
