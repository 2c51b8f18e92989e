import Day2Model
import Foundation
import Testing

@testable import OSResourceManager

@Suite("OS profile parsing")
struct ProfileParsingTests {
    @Test("an immutable profile becomes the OS resource the spec describes")
    func immutableProfile() throws {
        let yaml = ProfileFixtures.immutable(version: "3.0.20260602.2200", packageManifest: "files-edge-orch/pkg.json")
        let profile = try OSProfile.parse(yaml, file: "microvisor-nonrt.yaml")
        let os = profile.osResource(installedPackages: "{}")
        #expect(os.name == "Edge Microvisor Toolkit 3.0.20260602.2200")
        #expect(os.osType == .immutable)
        #expect(os.osProvider == .infra)
        #expect(os.securityFeature == .none)
        #expect(os.profileName == "microvisor-nonrt")
        #expect(os.imageId == "3.0.20260602.2200")
        #expect(os.imageUrl == "files-edge-orch/repository/microvisor/non_rt/edge-readonly-3.0.20260602.2200.raw.gz")
        #expect(os.sha256 == ProfileFixtures.sha("image 3.0.20260602.2200"))
        #expect(os.metadata == #"{"release":"0.11.5"}"#)
        #expect(os.platformBundle == "")
        #expect(os.installedPackages == "{}")
        #expect(profile.packageManifestURL == "files-edge-orch/pkg.json")
        try os.validate()
    }

    @Test("a mutable profile keeps its metadata and platform bundle as JSON")
    func mutableProfile() throws {
        let profile = try OSProfile.parse(ProfileFixtures.mutable(), file: "ubuntu-22.04-lts-generic.yaml")
        #expect(profile.osType == .mutable)
        #expect(profile.metadata == ["release": "0.11.5", "kubernetes-version": "v1.30.3"])
        #expect(
            profile.platformBundle
                == #"{"installerScript":"edge-orch/en/files/platformbundle/ubuntu-22.04-lts-generic:1.0.0"}"#
        )
        #expect(profile.osResource().metadata == #"{"kubernetes-version":"v1.30.3","release":"0.11.5"}"#)
    }

    /// A broken profile: the text to replace, its replacement, and the field the error must name.
    struct Breakage: Sendable, CustomStringConvertible {
        var find: String
        var replace: String
        var field: String
        var description: String { field }
    }

    @Test(
        "a malformed profile is refused naming the file and the field",
        arguments: [
            Breakage(find: "type: OS_TYPE_IMMUTABLE", replace: "type: OS_TYPE_UNSPECIFIED", field: "spec.type"),
            Breakage(find: "type: OS_TYPE_IMMUTABLE", replace: "type: IMMUTABLE", field: "spec.type"),
            Breakage(find: "provider: OS_PROVIDER_KIND_INFRA", replace: "provider: ''", field: "spec.provider"),
            Breakage(find: "securityFeature: SECURITY_FEATURE_NONE", replace: "", field: "spec.securityFeature"),
            Breakage(find: "osImageSha256: ", replace: "osImageSha256: 12ab", field: "spec.osImageSha256"),
            Breakage(find: "  osImageVersion: 3.0.1.1\n", replace: "", field: "spec.osImageVersion"),
            Breakage(find: "  profileName: microvisor-nonrt\n", replace: "", field: "spec.profileName"),
            Breakage(
                find: "  name: Edge Microvisor Toolkit 3.0.1.1\n",
                replace: "  name: bad|name\n",
                field: "spec.name"
            ),
            Breakage(find: "  release: 0.11.5", replace: "  release: UPPER", field: "metadata"),
            Breakage(find: "metadata:\n  release: 0.11.5", replace: "metadata: [1, 2]", field: "metadata"),
            Breakage(find: "  platformBundle:", replace: "  platformBundle: [a]", field: "spec.platformBundle"),
            Breakage(find: "spec:", replace: "notspec:", field: "spec"),
            Breakage(find: "appVersion: apps/v1", replace: "appVersion: [", field: "(document)"),
        ]
    )
    func malformed(_ breakage: Breakage) throws {
        let good = ProfileFixtures.immutable(version: "3.0.1.1")
        let bad = good.replacingOccurrences(of: breakage.find, with: breakage.replace)
        #expect(bad != good, "the fixture must contain \(breakage.find)")
        let error = try #require(throws: OSResourceManagerError.self) {
            try OSProfile.parse(bad, file: "microvisor-nonrt.yaml")
        }
        #expect(error.code == .invalidProfile)
        #expect(error.message.hasPrefix("microvisor-nonrt.yaml: \(breakage.field):"), "\(error.message)")
    }

    @Test("a package manifest needs a non-empty repo list with name and version, and is stored without blanks")
    func packageManifest() throws {
        let stored = try ProfileContent.packageManifest(Array(ProfileFixtures.packageManifest.utf8), file: "pkg.json")
        #expect(
            stored
                == #"{"repo":[{"name":"systemd","version":"255.13-1","distribution":"emt","release":"3.0"},{"name":"openssl","version":"3.3.2-1"}]}"#
        )
        for bad in [#"{"repo":[]}"#, #"{"repo":[{"name":"a"}]}"#, "[1]", "not json", #"{"other":1}"#] {
            let error = try #require(throws: OSResourceManagerError.self) {
                try ProfileContent.packageManifest(Array(bad.utf8), file: "pkg.json")
            }
            #expect(error.message.hasPrefix("pkg.json: "), "\(error)")
        }
    }

    @Test("a CVE list is a JSON list whose first entry has cve_id and priority; blanks inside strings stay")
    func cveList() throws {
        #expect(
            try ProfileContent.cveList(Array(ProfileFixtures.cves.utf8), file: "c.json")
                == #"[{"cve_id":"CVE-2025-0001","priority":"high","affected_packages":["openssl 3.3.2"]}]"#
        )
        #expect(try ProfileContent.cveList(Array("[ ]".utf8), file: "c.json") == "[]")
        for bad in [#"[{"cve_id":"x"}]"#, #"{"cve_id":"x","priority":"low"}"#, "BZh91AY&SY"] {
            let error = try #require(throws: OSResourceManagerError.self) {
                try ProfileContent.cveList(Array(bad.utf8), file: "c.json")
            }
            #expect(error.message.hasPrefix("c.json: "), "\(error)")
        }
    }

    @Test("JSON minification keeps escaped quotes and blanks inside strings")
    func minified() {
        let text = #"{ "a b" : "c \" d" ,"# + "\t" + #""e":[ 1 , 2 ] }"#
        #expect(ProfileContent.minified(Array(text.utf8)) == #"{"a b":"c \" d","e":[1,2]}"#)
    }
}
