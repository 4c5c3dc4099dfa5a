module github.com/openflex/openflex/sdk

go 1.23
