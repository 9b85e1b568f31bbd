"""Video motion analysis: decode → pose → track → clean/filter → angles → task metrics → outputs."""
