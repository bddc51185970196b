// Package deploy holds no code: its tests check the deployment files around
// the binary (the Dockerfile, .dockerignore and the Kubernetes example), so
// that `make test` catches a manifest Kubernetes would refuse or a packaging
// rule a change undid.
package deploy
