package server

import (
	"context"
	"net/http"

	"github.com/labstack/echo/v4"

	"lmsproxy/translate"
	"lmsproxy/upstream/wire"
)

// LoanProductsAPI is what the loan product handlers need of the upstream.
type LoanProductsAPI interface {
	ListLoanProducts(ctx context.Context) (wire.LoanProducts, error)
	GetLoanProduct(ctx context.Context, id int64) (wire.LoanProductData, error)
}

// loanProducts holds the loan product handlers: read-only, and addressed
// by id alone, since the contract gives products no externalId (spec §8).
type loanProducts struct{ s *Server }

func (h *loanProducts) mount(v1 *echo.Group) {
	v1.GET("/loan-products", h.list)
	v1.GET("/loan-products/:"+paramID, h.get)
}

func (h *loanProducts) list(c echo.Context) error {
	if err := translate.Merge(noQuery(c), noBody(c)); err != nil {
		return err
	}
	ps, err := h.s.upstream.ListLoanProducts(c.Request().Context())
	if err != nil {
		return translate.FromUpstream(err, translate.Target{Resource: translate.Products})
	}
	out, err := translate.ProductListFromUpstream(ps)
	if err != nil {
		return err
	}
	return writeJSON(c, http.StatusOK, out)
}

func (h *loanProducts) get(c echo.Context) error {
	raw := c.Param(paramID)
	id, perr := translate.ParseProductID(raw)
	if err := translate.Merge(perr, noQuery(c), noBody(c)); err != nil {
		return err
	}
	p, err := h.s.upstream.GetLoanProduct(c.Request().Context(), id)
	if err != nil {
		return translate.FromUpstream(err, translate.Products.ByID(raw))
	}
	out, err := translate.ProductFromUpstream(p)
	if err != nil {
		return err
	}
	return writeJSON(c, http.StatusOK, out)
}
