import Day2Model
import Testing

@Suite("Image version ordering")
struct ImageVersionTests {
    @Test(
        "older < newer",
        arguments: [
            ("3.0.20250717.0732", "3.0.20250717.1000"),
            ("3.0.20250717", "3.0.20250717.0732"),
            ("3.0.20250716.2359", "3.0.20250717.0001"),
            ("2.9.99999999.9999", "3.0.20200101.0000"),
            ("22.04.4", "22.04.5"),
            ("1.2.3", "1.10.0"),
            ("1.2.3.rc1", "1.2.3.rc2"),
            ("1.2.3.9", "1.2.3.rc1"),
        ]
    )
    func ordering(older: String, newer: String) throws {
        let a = try #require(ImageVersion(older))
        let b = try #require(ImageVersion(newer))
        #expect(a < b)
        #expect(!(b < a))
        #expect(a != b)
    }

    @Test("equal versions, leading zeros, empty text")
    func equality() throws {
        #expect(ImageVersion("3.0.0732") == ImageVersion("3.0.732"))
        #expect(ImageVersion("") == nil)
        #expect([ImageVersion("1.2")!, ImageVersion("1.10")!, ImageVersion("1.9")!].max()?.description == "1.10")
    }
}
