from kybra import Principal, query, Service, service_query, service_update


class SomeService(Service):
    @service_query
    def query1(self) -> bool: ...

    @service_update
    def update1(self) -> str: ...


@query
def get_service() -> SomeService:
    return SomeService(Principal.from_str("aaaaa-aa"))


# added (the book's `call_service` makes a cross-canister call)
@query
def echo_service(service: SomeService) -> SomeService:
    return service
