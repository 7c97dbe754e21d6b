package limit

// For the tests of package limit_test.
var (
	CheckTimes = checkTimes
	WithLabel  = withLabel
	Labelled   = labelled
	TestToken  = testToken
)
