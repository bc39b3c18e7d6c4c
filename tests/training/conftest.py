from tests.learning.conftest import make_course  # noqa: F401 - the course factory fixture
