module github.com/statusapp-io/go-sdk

go 1.19
