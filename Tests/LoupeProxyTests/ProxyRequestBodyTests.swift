import LoupeProxy
import Testing

@Suite struct ProxyRequestBodyTests {
    @Test func readsRoutingFields() throws {
        let body = try ProxyRequestBody(bytes: Array(#"{"model":"gpt-4o-mini","stream":true,"user":"u1","messages":[]}"#.utf8))
        #expect(body.model == "gpt-4o-mini")
        #expect(body.stream)
        #expect(body.user == "u1")
        #expect(!body.clientIncludesUsage)
    }

    @Test func rejectsMalformedJSONAndNonObjects() {
        #expect(throws: ProxyRequestBody.Problem.self) { try ProxyRequestBody(bytes: Array(#"{"model": "x""#.utf8)) }
        #expect(throws: ProxyRequestBody.Problem.notAnObject) { try ProxyRequestBody(bytes: Array("[1,2]".utf8)) }
        #expect(throws: ProxyRequestBody.Problem.invalidField(name: "model", expected: "a string")) {
            try ProxyRequestBody(bytes: Array(#"{"model": 4}"#.utf8))
        }
    }

    @Test func replacesOnlyTheModelValue() throws {
        let text = #"{ "messages": [{"role":"user","content":"say \"model\": x"}], "model" : "fast", "temperature": 0.70 }"#
        let body = try ProxyRequestBody(bytes: Array(text.utf8))
        let edited = String(decoding: body.replacingModel(with: "llama3.2", in: body.bytes), as: UTF8.self)
        #expect(edited == #"{ "messages": [{"role":"user","content":"say \"model\": x"}], "model" : "llama3.2", "temperature": 0.70 }"#)
    }

    @Test func addsStreamOptionsWhenAbsent() throws {
        let body = try ProxyRequestBody(bytes: Array(#"{"model":"m","stream":true}"#.utf8))
        let edited = String(decoding: body.requestingUsage(in: body.bytes), as: UTF8.self)
        #expect(edited == #"{"stream_options":{"include_usage":true},"model":"m","stream":true}"#)
    }

    @Test func setsIncludeUsageInsideExistingStreamOptions() throws {
        let body = try ProxyRequestBody(bytes: Array(#"{"model":"m","stream":true,"stream_options":{"include_usage":false,"include_obfuscation":false}}"#.utf8))
        let edited = String(decoding: body.requestingUsage(in: body.bytes), as: UTF8.self)
        #expect(edited == #"{"model":"m","stream":true,"stream_options":{"include_usage":true,"include_obfuscation":false}}"#)
    }

    @Test func removesAMemberAndItsComma() {
        func removing(_ key: String, _ text: String) -> String? {
            JSONObjectScanner.removingMember(key, from: Array(text.utf8)).map { String(decoding: $0, as: UTF8.self) }
        }
        #expect(removing("usage", #"{"a":1,"usage":null}"#) == #"{"a":1}"#)
        #expect(removing("usage", #"{"usage":null, "a":1}"#) == #"{"a":1}"#)
        #expect(removing("usage", #"{"a":{"usage":2},"usage":null,"b":[3]}"#) == #"{"a":{"usage":2},"b":[3]}"#)
        #expect(removing("usage", #"{"usage":null}"#) == "{}")
        #expect(removing("usage", #"{"a":"usage"}"#) == nil)
    }
}
