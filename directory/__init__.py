"""服务机构库 directory-as-code.

Stages, each one module, data flowing one way:
load (loader, schemes, repository) -> validate (validate, conditions, schemacheck)
-> derive (lifecycle, workdays) -> report (reporters) -> render/build (later issues).
"""
