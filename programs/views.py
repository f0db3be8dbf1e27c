from django.shortcuts import get_object_or_404, render

from .models import Program


def home(request):
    return render(request, "programs/home.html", {})


def program_list(request):
    programs = Program.objects.filter(is_active=True).select_related("field")
    return render(request, "programs/program_list.html", {"programs": programs})


def program_detail(request, slug):
    program = get_object_or_404(Program, slug=slug, is_active=True)
    return render(request, "programs/program_detail.html", {"program": program})
