/// Fixtures and fakes shared by the test suites.
public enum Day2Testing {}
