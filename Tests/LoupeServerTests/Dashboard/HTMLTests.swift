import Testing

@testable import LoupeServer

/// The HTML builder escapes every value, in text and in attributes.
@Suite struct HTMLTests {
    @Test func textAndAttributesAreEscaped() {
        let html = HTML.element("a", ["href": "/x?a=1&b=\"2\"", "title": nil], text: "<script>alert('x')</script> & co")
        #expect(html.markup == #"<a href="/x?a=1&amp;b=&quot;2&quot;">&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; co</a>"#)
    }

    @Test func voidElementsHaveNoEndTag() {
        #expect(HTML.element("input", ["name": "q"]).markup == #"<input name="q">"#)
        #expect((HTML("a") + .element("br") + HTML("b")).markup == "a<br>b")
    }

    @Test func childrenNestInOrder() {
        let list = HTML.element("ul", ["<i>", "ü"].map { HTML.element("li", text: $0) })
        #expect(list.markup == "<ul><li>&lt;i&gt;</li><li>ü</li></ul>")
    }
}
