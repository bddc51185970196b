package fake

// Day is the seed's date constructor, for the external tests: one
// definition of it.
var Day = day
