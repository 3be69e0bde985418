"""Rating scales, one instrument per module: TWSTRS and Tsui [9][10]."""
