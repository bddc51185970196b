package fake

import "slices"

// The simulated resources, each registered here once per seam. A resource
// declares its routes and, when the write pipeline writes it, its entity in
// its own file (clients.go: clientRoutes, clientEntity).

// routes are every resource's path templates (see route).
var routes = slices.Concat(
	clientRoutes,
	loanProductRoutes,
	loanTransactionRoutes,
	loanTransactionReadRoutes,
	loanRoutes,
	batchRoutes,
	loanAccountRoutes,
	businessDateRoutes,
	configurationRoutes,
)

// entities are the kinds of record the write pipeline writes: their reads
// and commands make up the service account's permissions, and their
// commands are what maker-checker can hold.
var entities = []*entity{
	clientEntity,
	loanEntity,
}
