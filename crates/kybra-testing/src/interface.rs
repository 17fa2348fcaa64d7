//! `Interface`: one canister's methods with their Candid types, and the conversion of
//! Python values to Candid arguments and of Candid replies to Python values — with the
//! in-canister runtime's own codec (`kybra-codec`), so a test sees values exactly as the
//! canister's Python code does (records as dicts, variants as one-key dicts,
//! `kybra.Principal`, opt as `None`/value).
//!
//! Promises: arguments that do not fit the declared types raise `TypeError` naming the
//! method, the argument and the path (``method `m`: argument 1.name: expected text, got int 3``)
//! before anything is sent; a reply that does not fit raises `ValueError` saying so.
//! `Service` subclasses of the canister's own modules are not imported on the host: a
//! service reference is a `kybra.Service` (with `.canister_id`).

use kybra_codec::decode::{decode_args, Classes, Fail};
use kybra_codec::encode::encode_args;
use kybra_codec::schema::{Schema, Signature};
use kybra_codec::types::T;
use kybra_interface::{Method, MethodKind, Payload};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyTuple};

use crate::{did, management, module};

/// Name of the pseudo-method that carries the init arguments inside the schema.
const INIT: &str = "<init>";

/// The interface of one canister (see the module docs).
#[pyclass(module = "kybra.testing._native")]
pub struct Interface {
    methods: Vec<Method>,
    schema: Schema,
    signatures: Vec<Signature>,
    principal: Py<PyAny>,
    service: Option<Py<PyAny>>,
}

#[pymethods]
impl Interface {
    /// From a module built by `kybra build` (its payload), gzipped or not.
    #[staticmethod]
    fn from_module(py: Python<'_>, module: &[u8]) -> PyResult<Interface> {
        let payload = module::payload(module).map_err(PyValueError::new_err)?;
        Interface::new(py, payload)
    }

    /// From a `.did` text (`service : (init) -> { ... }`).
    #[staticmethod]
    fn from_did(py: Python<'_>, text: &str) -> PyResult<Interface> {
        let payload = did::payload_from_did(text).map_err(PyValueError::new_err)?;
        Interface::new(py, payload)
    }

    /// The `candid:service` metadata of a module, if it has one.
    #[staticmethod]
    fn candid_of_module(module: &[u8]) -> PyResult<Option<String>> {
        module::candid_service(module).map_err(PyValueError::new_err)
    }

    /// The management canister's interface.
    #[staticmethod]
    fn management(py: Python<'_>) -> PyResult<Interface> {
        Interface::new(py, management::payload().map_err(PyValueError::new_err)?)
    }

    /// `[(name, kind)]` with kind `"query"`, `"composite_query"` or `"update"`, in order.
    fn methods(&self) -> Vec<(String, &'static str)> {
        self.methods
            .iter()
            .filter(|m| m.name != INIT)
            .map(|m| {
                let kind = match m.kind {
                    MethodKind::Query => "query",
                    MethodKind::CompositeQuery => "composite_query",
                    MethodKind::Update => "update",
                };
                (m.name.clone(), kind)
            })
            .collect()
    }

    /// The Candid signature of a method, for error messages and `repr`.
    fn signature(&self, method: &str) -> PyResult<String> {
        let (params, rets) = &self.signatures[self.index(method)?];
        let show = |ts: &[T]| {
            ts.iter()
                .map(|t| self.schema.show(*t))
                .collect::<Vec<_>>()
                .join(", ")
        };
        Ok(format!("({}) -> ({})", show(params), show(rets)))
    }

    /// The number of parameters of a method (`"<init>"`: the init arguments).
    fn arity(&self, method: &str) -> PyResult<usize> {
        Ok(self.signatures[self.index(method)?].0.len())
    }

    /// The Candid message for calling `method` with `args` (`"<init>"`: the install
    /// argument; empty when the canister declares no init arguments).
    fn encode_args<'py>(
        &self,
        py: Python<'py>,
        method: &str,
        args: &Bound<'py, PyTuple>,
    ) -> PyResult<Bound<'py, PyBytes>> {
        let params = &self.signatures[self.index(method)?].0;
        let what = if method == INIT {
            "the init arguments".to_string()
        } else {
            format!("method `{method}`")
        };
        if args.len() != params.len() {
            return Err(PyTypeError::new_err(format!(
                "{what} take{} {} argument{} ({}), got {}",
                if method == INIT { "" } else { "s" },
                params.len(),
                if params.len() == 1 { "" } else { "s" },
                self.signature(method)?,
                args.len()
            )));
        }
        let classes = self.classes(py);
        let mut header = Vec::new();
        self.schema.table.write_header(params, &mut header);
        let values: Vec<Bound<'py, PyAny>> = args.iter().collect();
        let out =
            encode_args(&self.schema, &classes, params, &header, &values).map_err(|(i, m)| {
                PyTypeError::new_err(format!(
                    "{what}: {}: expected {}, got {}",
                    m.location(&format!("argument {}", i + 1)),
                    m.expected,
                    m.found
                ))
            })?;
        Ok(PyBytes::new(py, &out))
    }

    /// The Python value of a reply of `method`: `None` for no result, the value for one.
    fn decode_reply<'py>(
        &self,
        py: Python<'py>,
        method: &str,
        reply: &[u8],
    ) -> PyResult<Bound<'py, PyAny>> {
        let rets = &self.signatures[self.index(method)?].1;
        let classes = self.classes(py);
        let values = decode_args(py, &self.schema, &classes, rets, reply).map_err(|f| match f {
            Fail::Python(e) => e,
            Fail::Reject { arg, path, message } => PyValueError::new_err(format!(
                "the reply of `{method}` does not fit its declared result type {}: {}{}: {message}",
                self.signature(method).unwrap_or_default(),
                arg.map(|a| format!("result {}", a + 1)).unwrap_or_default(),
                path.concat()
            )),
        })?;
        Ok(match values.len() {
            0 => py.None().into_bound(py),
            1 => values.into_iter().next().expect("one value"),
            _ => PyTuple::new(py, values)?.into_any(),
        })
    }
}

impl Interface {
    fn new(py: Python<'_>, mut payload: Payload) -> PyResult<Interface> {
        // The canister's own Service classes live in its modules, which the host does not
        // import; references become `kybra.Service` instances instead.
        payload.types.iter_mut().for_each(|d| d.class = None);
        let init = payload
            .hooks
            .init
            .as_ref()
            .or(payload.hooks.post_upgrade.as_ref());
        let params = init.map(|h| h.params.clone()).unwrap_or_default();
        payload.methods.push(Method {
            name: INIT.into(),
            module: String::new(),
            function: String::new(),
            kind: MethodKind::Update,
            params,
            returns: Vec::new(),
            guard: None,
            manual_reply: false,
        });
        let (schema, signatures) = Schema::build(py, &payload).map_err(PyValueError::new_err)?;
        let kybra = py.import("kybra")?;
        Ok(Interface {
            methods: payload.methods,
            schema,
            signatures,
            principal: kybra.getattr("Principal")?.unbind(),
            service: kybra.getattr("Service").ok().map(Bound::unbind),
        })
    }

    fn index(&self, method: &str) -> PyResult<usize> {
        self.methods
            .iter()
            .position(|m| m.name == method)
            .ok_or_else(|| {
                let names: Vec<&str> = self
                    .methods
                    .iter()
                    .map(|m| m.name.as_str())
                    .filter(|n| *n != INIT)
                    .collect();
                PyValueError::new_err(format!(
                    "the canister has no method `{method}`; it has: {}",
                    names.join(", ")
                ))
            })
    }

    fn classes<'py>(&self, py: Python<'py>) -> Classes<'py> {
        Classes {
            principal: Some(self.principal.bind(py).clone()),
            service: self.service.as_ref().map(|s| s.bind(py).clone()),
        }
    }
}
