from kybra import Record, Vec, query


class Post(Record):
    id: str
    author: "User"
    text: str
    thread: "Thread"


class Thread(Record):
    id: str
    author: "User"
    posts: Vec[Post]
    title: str


class User(Record):
    id: str
    posts: Vec[Post]
    thread: Vec[Thread]
    username: str


# added
@query
def get_user() -> User:
    return {"id": "0", "posts": [], "thread": [], "username": "lastmjs"}
