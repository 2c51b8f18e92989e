import AsyncHTTPClient
import GRPCNIOTransportHTTP2
import Subprocess
import Yams
import Crypto
enum AgentLinuxPlaceholder {}
