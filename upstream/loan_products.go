package upstream

import (
	"context"
	"net/http"

	"lmsproxy/upstream/wire"
)

// The loan products API (LoanProductsApiResource, fineract-provider/.../
// portfolio/loanproduct/api/ at 1.8.4 and 1.10.1). Used by the loans
// handlers, next: origination copies a product's terms into the
// submission and checks the principal against its range first.
var (
	OpListLoanProducts = Op{Name: "loanproducts.list", Method: http.MethodGet, Safety: ReadOnly}
	OpGetLoanProduct   = Op{Name: "loanproducts.get", Method: http.MethodGet, Safety: ReadOnly}
)

// loanProductOps are the loan products API's operations, in Ops.
var loanProductOps = []Op{OpListLoanProducts, OpGetLoanProduct}

// loanProducts addresses /v1/loanproducts. Products are addressed by id
// alone (the partner contract has no product external id), so the
// external-id configuration is unused and the list, an unpaged array, is
// read by ListLoanProducts itself.
var loanProducts = &resource[wire.LoanProductData]{
	segment:          "loanproducts",
	noun:             "loan product",
	get:              OpGetLoanProduct,
	list:             OpListLoanProducts,
	externalIDRoutes: func(Version) bool { return false },
	identity:         func(p *wire.LoanProductData) (int64, string) { return p.ID, p.ExternalID },
}

// ListLoanProducts returns every product: GET /loanproducts has no paging
// and no filters.
func (c *Client) ListLoanProducts(ctx context.Context) (wire.LoanProducts, error) {
	var out wire.LoanProducts
	err := c.do(ctx, OpListLoanProducts, loanProducts.url(c, "", nil), nil, &out)
	return out, err
}

// GetLoanProduct returns the product with the given id, or an error
// (verify.go); an unknown id is 404 error.msg.loanproduct.id.invalid.
func (c *Client) GetLoanProduct(ctx context.Context, id int64) (wire.LoanProductData, error) {
	return loanProducts.fetch(ctx, c, ByID(id))
}
