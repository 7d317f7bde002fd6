"""Pages of the promises app, one module per area: catalogue, checks and crises, gaps, fit."""
