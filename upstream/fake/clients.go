package fake

import (
	"net/http"
	"slices"

	"lmsproxy/upstream"
)

// The clients resource (ClientsApiResource): its routes and its entity, each
// registered once (routes, entities); the handlers are in clients_*.go and
// commands.go.

// clientEntity is the client as the write pipeline, the validators and the
// read permission know it.
var clientEntity = &entity{
	name:  "client",
	tasks: clientWriteTasks(),
	ids:   func(st *store) *sequence { return &st.clients.sequence },
	byExternalID: func(st *store, ext string) (int64, error) {
		c := st.clientByExternalID(ext)
		if c == nil { // the upstream prints its null internal id
			return 0, clientNotFoundError(nil)
		}
		return c.ID, nil
	},
	source: func(p *PendingCommand, id int64) { p.ClientID = id },
}

// clientWriteTasks are the permission codes of the client commands the
// simulator runs (CommandWrapper.taskPermissionName(): ACTION_ENTITY): the
// create, update and delete routes and every ?command= transition.
func clientWriteTasks() []string {
	tasks := []string{"CREATE_CLIENT", "UPDATE_CLIENT", "DELETE_CLIENT"}
	for _, tr := range transitions {
		tasks = append(tasks, tr.task)
	}
	slices.Sort(tasks)
	return tasks
}

// clientRoutes are /clients, /clients/{clientId} and, from 1.9,
// /clients/external-id/{externalId}.
var clientRoutes = []route{
	{template: "clients", methods: func(s *Server, c *call, _ params) methods {
		return methods{
			http.MethodGet: func() result {
				v, err := s.listClients(c)
				return s.render(c.r, v, err)
			},
			http.MethodPost: func() result { return s.create(c) },
		}
	}},
	{template: "clients/{clientId}", methods: func(s *Server, c *call, p params) methods {
		id, ok := p.long("clientId")
		if !ok {
			return nil
		}
		return s.clientMethods(c, byID(id))
	}},
	{template: "clients/external-id/{externalId}", served: upstream.Version.HasExternalIDRoutes,
		methods: func(s *Server, c *call, p params) methods {
			if shadow, ok := externalIDShadows[p["externalId"]]; ok {
				return shadow.methods(func() result { return s.render(c.r, nil, springError(http.StatusNotFound)) })
			}
			return s.clientMethods(c, byExternalID(p["externalId"]))
		}},
}

// externalIDShadows are, at 1.9.0, 1.10.1 and develop alike, the names that
// are captured (with the methods the capturing template has):
//   - root resources with more literal characters than "/v1/clients" (11),
//     or as many and more variables: /v1/clients/{clientId}/charges,
//     …/collaterals, …/familymembers, …/identifiers
//     (ClientChargesApiResource, ClientCollateralManagementApiResource,
//     ClientFamilyMembersApiResource, ClientIdentifiersApiResource) and
//     /v1/{entityType}/{entityId}/calendars, …/documents, …/meetings,
//     /v1/{entity}/{entityId}/images, /v1/{resourceType}/{resourceId}/notes
//     (CalendarsApiResource, DocumentManagementApiResource,
//     MeetingsApiResource, ImagesApiResource, NotesApiResource);
//   - sub-resources of /v1/clients with more literal characters than
//     "/external-id/" (13): {clientId}/obligeedetails and
//     {clientId}/transferproposaldate (ClientsApiResource) and
//     {clientId}/transactions (ClientTransactionsApiResource).
//
// "{clientId}/accounts" has fewer (10), so "accounts" reaches the client.
// Media types are not modelled: documents and images consume multipart.
var externalIDShadows = map[string]externalIDShadow{
	"charges":              {http.MethodGet, http.MethodPost},
	"collaterals":          {http.MethodGet, http.MethodPost},
	"familymembers":        {http.MethodGet, http.MethodPost},
	"identifiers":          {http.MethodGet, http.MethodPost},
	"calendars":            {http.MethodGet, http.MethodPost},
	"documents":            {http.MethodGet, http.MethodPost},
	"meetings":             {http.MethodGet, http.MethodPost},
	"images":               {http.MethodGet, http.MethodPost, http.MethodPut, http.MethodDelete},
	"notes":                {http.MethodGet, http.MethodPost},
	"obligeedetails":       {http.MethodGet},
	"transferproposaldate": {http.MethodGet},
	"transactions":         {http.MethodGet},
}

// clientMethods are the routes on one client.
func (s *Server) clientMethods(c *call, t target) methods {
	return methods{
		http.MethodGet: func() result {
			v, err := s.getClient(t)
			return s.render(c.r, v, err)
		},
		http.MethodPut:    func() result { return s.update(c, t) },
		http.MethodDelete: func() result { return s.remove(c, t) },
		http.MethodPost:   func() result { return s.command(c, t) },
	}
}
