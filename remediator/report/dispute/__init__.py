"""The ASV dispute and compensating-control package: one page (HTML and PDF) per finding a
person must answer for (a policy exception, manual work), written into the evidence bundle."""
