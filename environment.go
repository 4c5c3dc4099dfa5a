package openflex

// Environment names a data plane. Objects created in one environment never
// exist in the other: each has its own database.
type Environment string

// The two environments every merchant has.
const (
	Training   Environment = "training"
	Production Environment = "production"
)

// Environments lists every environment, TRAINING first.
var Environments = []Environment{Training, Production}

// Valid reports whether e is a known environment.
func (e Environment) Valid() bool { return e == Training || e == Production }

// Short is the environment's tag inside keys and tokens ("train" or "prod").
func (e Environment) Short() string {
	if e == Production {
		return "prod"
	}
	return "train"
}

// ParseEnvironment accepts "training"/"train" and "production"/"prod".
func ParseEnvironment(s string) (Environment, bool) {
	switch s {
	case "training", "train":
		return Training, true
	case "production", "prod":
		return Production, true
	}
	return "", false
}
